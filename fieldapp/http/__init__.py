"""What the pages (fieldapp/web) and the JSON API (fieldapp/api) share about HTTP: the guard on
each view (``guards``), how query and form values are read (``params``: no NUL, the page number),
the bounded id in URLs (``ids``)."""
