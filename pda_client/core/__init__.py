"""The handheld's core: no Kivy here, so every rule is tested with plain pytest."""
