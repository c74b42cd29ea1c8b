import ArgumentParser
import BCAPI

/// `HOST:PORT` listen addresses, and the loopback rule every bcops server follows: it listens
/// on loopback unless `--allow-remote` is given (`bcctl engine serve`, `bcctl controller
/// --listen` and `--engine-listen`).
enum ListenAddress {
    /// Whether `host` is the loopback interface (ListenerNames.isLoopback).
    static func isLoopback(_ host: String) -> Bool { ListenerNames.isLoopback(host) }

    /// `HOST:PORT`, split; a ValidationError naming `flag` otherwise.
    static func parse(_ text: String, flag: String) throws -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ValidationError("\(flag) must be HOST:PORT, got \(text)")
        }
        return (String(text[..<colon]), port)
    }

    /// Refuses a non-loopback host unless `--allow-remote` was given, in `bcctl engine serve`'s words.
    static func requireLoopback(_ host: String, flag: String, server: String, allowRemote: Bool) throws {
        if !isLoopback(host) && !allowRemote {
            throw ValidationError("refusing to listen on \(host.isEmpty ? "every interface" : host) (\(flag)): \(server) listens on loopback unless --allow-remote is given")
        }
    }
}
