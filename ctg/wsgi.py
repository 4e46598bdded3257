from django.core.wsgi import get_wsgi_application

from ctg.env import settings_module

# `.env` first: it may name the settings module; a WSGI server runs the production settings otherwise.
settings_module(default="ctg.settings.base")
application = get_wsgi_application()
