"""Running the site: what a user sees when something outside the app fails.

`middleware.py` turns a database that cannot be reached into a short retry (idempotent
requests) and then a 503 page; `views.py` are the error pages (400/403/404/500/503), in
Chinese and in the product's layout. Composition layer: imports anything, imported by nothing
but settings and the URLconf.
"""
