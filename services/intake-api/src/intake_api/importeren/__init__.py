"""Historical import: signals recorded elsewhere (a spreadsheet), with their original dates."""
