// The contract's types carry JSON values where the wire is free-form (labels, outputs).
@_exported import BCJSON
