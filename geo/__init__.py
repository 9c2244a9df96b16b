"""Reading layers, coordinate systems, the walk network, snapping, reach and isochrones."""
