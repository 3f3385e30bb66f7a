"""Devices of a site (kiosks, call displays) and the state of the kiosks' ticket printers."""
