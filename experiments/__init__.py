"""The experiment specs, installed as the package ``papsim.library.experiments`` (setup.py; read through
``papsim.library``)."""
