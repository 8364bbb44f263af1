"""The sample programs, shipped inside Capsule (`capsule.samples`) so an installed host shows the same demo as a checkout."""
