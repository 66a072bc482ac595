// The gmsup version string, shown by `gmsup --version` and the daemon's status.
export const VERSION = '0.1.0';
