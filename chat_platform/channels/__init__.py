"""Messaging channels beyond the widget and the Rasa APIs: each a router plus a client that answers."""
