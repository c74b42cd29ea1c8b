// The typed calls take and answer the contract's types: a caller of BCClient names them
// without importing BCAPI itself.
@_exported import BCAPI
