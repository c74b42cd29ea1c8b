import COpenSSLCrypto
import Foundation

/// The id a workflow run has: what the runner (`python/miniwdl-bcops`, `layout.run_id_for_job`)
/// names its OSS directories and metadata with, derived from the runner's job id so that a
/// restarted runner keeps its paths, and so that `bcctl workflow status` finds a run's metadata
/// from its job alone. A UUID version 5 in the URL namespace (RFC 4122 §4.3), like Cromwell's
/// workflow ids in shape.
public enum WorkflowRunID {
    public static let namePrefix = "bcops:workflow-run:"

    public static func of(jobId: String) -> String {
        // RFC 4122 Appendix C: the URL namespace 6ba7b811-9dad-11d1-80b4-00c04fd430c8.
        let namespace: [UInt8] = [0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8]
        var bytes = Array(sha1(namespace + Array((namePrefix + jobId).utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let h = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(h[$0]) }.joined(separator: "-")
    }

    static func sha1(_ message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = message.withUnsafeBufferPointer { m in EVP_Digest(m.baseAddress, m.count, &out, &length, EVP_sha1(), nil) }
        return Array(out.prefix(Int(length)))
    }
}
