#!/usr/bin/env bash
# Add the modules newsfacet needs to the integration-test distribution.
#
# The integ-test-zip ships only transport-netty4. Production OpenSearch (and the
# Docker image, and Amazon OpenSearch Service) bundle more modules; newsfacet
# relies on three of them: lang-painless (scripted upserts that add a source to
# an existing entry), analysis-common (stemming, ascii folding, edge n-grams) and
# mapper-extras (search_as_you_type). Their jars are published on Maven Central
# with the same version as the distribution; this script lays them out as
# module folders with the descriptor each module ships in the full distribution.
#
# Usage: infra/opensearch-modules.sh DIST_DIR VERSION
set -euo pipefail

dist="$1"
version="$2"

log() { printf 'opensearch-modules.sh: %s\n' "$*" >&2; }

# module | plugin class | extended plugins | artifacts (group:artifact:version)
modules() {
  cat <<SPEC
lang-painless|org.opensearch.painless.PainlessPlugin||org.opensearch.plugin:lang-painless:$version org.opensearch.plugin:opensearch-scripting-painless-spi:$version org.antlr:antlr4-runtime:4.13.1 org.ow2.asm:asm:9.7 org.ow2.asm:asm-util:9.7 org.ow2.asm:asm-tree:9.7 org.ow2.asm:asm-commons:9.7 org.ow2.asm:asm-analysis:9.7
analysis-common|org.opensearch.analysis.common.CommonAnalysisPlugin|lang-painless|org.opensearch.plugin:analysis-common:$version
mapper-extras|org.opensearch.index.mapper.MapperExtrasPlugin||org.opensearch.plugin:mapper-extras-client:$version
SPEC
}

while IFS='|' read -r name classname extended artifacts; do
  target="$dist/modules/$name"
  if [[ -f "$target/plugin-descriptor.properties" ]]; then
    continue
  fi
  log "adding module $name"
  staging="$(mktemp -d "$dist/modules/.${name}.XXXXXX")"
  for artifact in $artifacts; do
    if ! mvn -q -B dependency:copy -Dartifact="$artifact" -DoutputDirectory="$staging" >&2; then
      rm -rf "$staging"
      log "error: could not fetch $artifact from Maven Central"
      exit 1
    fi
  done
  cat >"$staging/plugin-descriptor.properties" <<DESC
description=$name module for OpenSearch (assembled by newsfacet from Maven Central)
version=$version
name=$name
classname=$classname
java.version=11
opensearch.version=$version
custom.foldername=
extended.plugins=$extended
has.native.controller=false
DESC
  if [[ "$name" == "lang-painless" ]]; then
    # Painless compiles scripts to classes at run time.
    cat >"$staging/plugin-security.policy" <<'POLICY'
grant {
  permission java.lang.RuntimePermission "createClassLoader";
  permission java.lang.RuntimePermission "getClassLoader";
};
POLICY
  fi
  chmod -R a+rX "$staging"
  mv "$staging" "$target"
done < <(modules)
