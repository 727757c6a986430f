"""Domain rules. No Flask request in here: views pass in what services need. The errors they
raise are in fieldapp.errors."""
