"""Kivy screens: thin views over ``pda_client.core``."""
