"""Mechanisms of the model: small modules of pure functions over numpy arrays, each testable alone.

Cells are handled as flat arrays with a Moore neighbour table ``nbr`` of shape ``(n_cells, 8)`` (a missing
neighbour points to the cell itself); gangs as arrays indexed by group; a cell's controller is a group index
or -1 for no gang.
"""
