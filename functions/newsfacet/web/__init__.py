"""The search page: plain HTML, CSS and ES modules in ``static/``, served by the search function."""
