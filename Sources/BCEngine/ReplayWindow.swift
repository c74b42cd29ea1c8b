import BCAPI
import Foundation
import HTTPTypes

/// The header names the signature checks read, made once.
enum SignedHeaders {
    static let nonce = HTTPField.Name("x-acs-signature-nonce")!
    /// Base64 (RFC 1864), on the signature's Content-MD5 line: bcops' client, oss2.
    static let contentMD5 = HTTPField.Name("Content-MD5")!
    /// The official SDK's hex MD5 of the body; not part of the signature.
    static let sdkContentMD5 = HTTPField.Name("contentMd5")!
    static let ossDate = HTTPField.Name("x-oss-date")!
}

/// A 128-bit fingerprint of what identifies a request (a nonce, a signature and a body digest):
/// two SipHash passes under this process's random seed, so remembering one costs 16 bytes
/// whatever the text, and nobody outside the process can aim for a collision.
struct ReplayKey: Hashable, Sendable {
    var high: UInt64
    var low: UInt64

    init(_ parts: String..., bytes: [UInt8] = []) {
        func pass(_ salt: UInt8) -> UInt64 {
            var h = Hasher()
            h.combine(salt)
            for p in parts { h.combine(p) }
            h.combine(bytes.count)
            for b in bytes { h.combine(b) }
            return UInt64(bitPattern: Int64(h.finalize()))
        }
        high = pass(0)
        low = pass(1)
    }
}

/// Keys remembered until they expire, kept in one bucket per minute of expiry; a bucket whose
/// minute has passed is dropped whole, so forgetting costs nothing per key and the table holds
/// at most one window (plus a minute) of traffic. `capacity` bounds it beyond that.
struct ExpiringTable<Value> {
    let capacity: Int
    private(set) var count = 0
    private var buckets: [Int64: [ReplayKey: Value]] = [:]
    private var purgedBefore: Int64 = .min

    init(capacity: Int) { self.capacity = capacity }

    static func minute(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 / 60).rounded(.down)) }

    /// Drops every bucket whose minute ended before `now`.
    mutating func purge(now: Date) {
        let current = Self.minute(now)
        guard current > purgedBefore else { return }
        purgedBefore = current
        for minute in buckets.keys.filter({ $0 < current }) {
            count -= buckets.removeValue(forKey: minute)?.count ?? 0
        }
    }

    func value(for key: ReplayKey) -> Value? {
        for bucket in buckets.values { if let v = bucket[key] { return v } }
        return nil
    }

    /// Remembers `key` until `expires`; false when the table is full.
    mutating func insert(_ key: ReplayKey, _ value: Value, expires: Date) -> Bool {
        guard count < capacity else { return false }
        buckets[Self.minute(expires), default: [:]][key] = value
        count += 1
        return true
    }

    /// Replaces the value of a key already remembered.
    mutating func update(_ key: ReplayKey, _ value: Value) {
        // Found first, changed after: mutating a bucket while iterating would copy it.
        guard let minute = buckets.first(where: { $0.value[key] != nil })?.key else { return }
        buckets[minute]![key] = value
    }
}

/// The `x-acs-signature-nonce`s accepted within the Date window: a nonce is good once. Entries
/// expire with the request's window (its Date + 15 minutes), after which the Date check refuses
/// the request anyway. Bounded: at `capacity` (two million, under 100 MB; 2,200 signed requests
/// a second for the whole window) new requests are refused until the oldest minute expires,
/// rather than forgetting a nonce that could then be replayed.
///
/// The window lives in memory, so a restarted engine has not seen what the previous run
/// accepted: a request dated before this window began (to the second) is refused as
/// `.predates`. On loopback client and engine share the clock, so only a request signed before
/// the restart is concerned; a remote client whose clock runs slow waits out its lag once.
actor NonceWindow {
    enum Claim: Sendable, Equatable { case fresh, used, predates, full }

    private var table: ExpiringTable<Void>
    let startedAt: Date

    init(capacity: Int = 2_000_000, startedAt: Date = Date()) {
        table = ExpiringTable(capacity: capacity)
        self.startedAt = Date(timeIntervalSince1970: startedAt.timeIntervalSince1970.rounded(.down))
    }

    var count: Int { table.count }

    func claim(nonce: String, accessKeyId: String, date: Date, expires: Date, now: Date = Date()) -> Claim {
        guard date >= startedAt else { return .predates }
        table.purge(now: now)
        let key = ReplayKey(accessKeyId, nonce)
        if table.value(for: key) != nil { return .used }
        return table.insert(key, (), expires: expires) ? .fresh : .full
    }
}

/// The mutating OSS requests (PUT, POST, DELETE) accepted within the Date window, by signature
/// and body digest. OSS's V1 signature has no nonce, so this is how an exact replay is told
/// apart: see `OSSRequest.once` for the rule, and docs/ARCHITECTURE.md for why.
actor OSSMutationWindow {
    enum State: Sendable, Equatable {
        /// Accepted and not finished: an identical request now is refused.
        case running
        /// Refused or failed: an identical request is refused too (it could succeed later,
        /// when the owner no longer expects it).
        case failed
        /// Done; `fingerprint` is the state of the objects it wrote or deleted right after.
        case done(fingerprint: String)
    }

    enum Claim: Sendable, Equatable { case fresh, repeated(State), predates, full }

    private var table: ExpiringTable<State>
    /// As `NonceWindow.startedAt`: a write dated before this run began is refused.
    let startedAt: Date

    init(capacity: Int = 1_000_000, startedAt: Date = Date()) {
        table = ExpiringTable(capacity: capacity)
        self.startedAt = Date(timeIntervalSince1970: startedAt.timeIntervalSince1970.rounded(.down))
    }

    var count: Int { table.count }

    func claim(_ key: ReplayKey, date: Date, expires: Date, now: Date = Date()) -> Claim {
        guard date >= startedAt else { return .predates }
        table.purge(now: now)
        if let state = table.value(for: key) { return .repeated(state) }
        return table.insert(key, .running, expires: expires) ? .fresh : .full
    }

    func finish(_ key: ReplayKey, _ state: State) { table.update(key, state) }
}
