#!/usr/bin/env python
import sys

from ctg.env import settings_module

if __name__ == "__main__":
    # `.env` first: it may choose the settings module (production servers); the development settings otherwise.
    settings_module(default="ctg.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
