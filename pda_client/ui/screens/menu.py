"""The task menu."""

from kivy.uix.screenmanager import Screen


class MenuScreen(Screen):
    pass
