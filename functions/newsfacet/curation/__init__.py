"""Curation: an operator's merges, renames and hides of entity values, recorded and undoable.

* ``models/curation_table.py``: the changes' replay into a table of keys (pure, in the
  models layer because ingest, index and search all read it);
* ``store.py``: the changes in ``<prefix>-curation`` and a per-container cache of the table;
* ``admin.py``: the admin API's service (record, check, undo, list);
* ``rewrite.py``: the background pass that files stored entries under their curated keys.

Search reads the table through ``search/curation.py``; ingest through ``ingest/pipeline.py``.
"""
