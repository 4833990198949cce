"""The scenario library and the city map, installed as the package ``papsim.library.scenarios``
(setup.py; read through ``papsim.library``)."""
