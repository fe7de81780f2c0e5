//! Files read through a byte cap, whatever their metadata says.
