// Every module that reads the model reads JSON values in it (workflow inputs, options).
@_exported import BCJSON
