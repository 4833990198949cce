"""Analyses across runs: scenarios compared on common random numbers, the calibration to the record. They
return tables; papsim/present draws and writes them."""
