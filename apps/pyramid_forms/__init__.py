"""Django's forms inside a Pyramid app: the "propose a talk" demo at ``/forms/``; read ``bridge.py`` first."""
