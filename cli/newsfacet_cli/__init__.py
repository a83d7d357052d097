"""The ``newsfacet`` command line and everything only it runs: the local stack, the demo, ops.

Nothing here ships in a Lambda package: the functions are built from
``functions/`` alone (``functions/lambda.mk``), so this package never reaches
them and needs no delete list.
"""
