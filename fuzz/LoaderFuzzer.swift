// libFuzzer entry point over the manifest loader: any bytes must give diagnostics,
// never a crash, a hang or unbounded memory. Built by fuzz/run.sh.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let result = ManifestLoader().load(bytes: bytes, name: "fuzz.yaml")
    for d in result.diagnostics where d.message.isEmpty { fatalError("empty diagnostic message") }
    if result.diagnostics != result.diagnostics.sorted() { fatalError("diagnostics not sorted") }
    if let text = String(validating: bytes, as: UTF8.self), result.isValid {
        // What validates must also format without losing data.
        _ = ManifestFormatter().format(text)
    }
    return 0
}
