import BCClient
import BCEngine
import Foundation

/// A controller that does not answer `bcctl status`, `controller suspend|resume|reconcile`:
/// which address, where it came from, and how to get a controller there, instead of the
/// connection's internals.
struct ControllerUnreachable: Error, CustomStringConvertible {
    var description: String
}

extension ControllerSignal.Target {
    /// Where the address came from: --address, DATA/controller/address, or the default.
    var addressSource: String {
        if address != nil { return "address from flag --address" }
        let file = (data ?? Engine.defaultDataDirectory) + "/controller/address"
        if FileManager.default.fileExists(atPath: file) { return "address from \(file)" }
        return "the default: no --address, and no controller has written \(file)"
    }

    func unreachable(_ error: TransportError) -> ControllerUnreachable {
        var why = "\(error)"
        if why.contains("Connection refused") { why = "connection refused" }
        let dir = data ?? "DIR"
        return ControllerUnreachable(description: """
            no controller at \(url("")) (\(addressSource); \(why)): start one with \
            `bcctl controller --repo REPO --data \(dir)`, or give --address (or --data) for the one you mean
            """)
    }
}
