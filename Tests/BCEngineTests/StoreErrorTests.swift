import BCAPI
import Foundation
import Testing
@testable import BCEngine

/// The store refuses in domain terms; the server's edge gives each refusal BatchCompute's
/// code, status and message, exactly as the store's HTTP errors read before.
@Suite struct StoreErrorTests {
    static func refusal(_ work: () throws -> Void) -> StoreError? {
        do { try work() } catch let e as StoreError { return e } catch { return nil }
        return nil
    }

    @Test func refusalsAreDomainErrorsWithTheServicesAnswers() throws {
        let s = try StoreTests.store()
        let id = try s.createJob(name: "j", type: "DAG", priority: 1, description: "{}", token: "t", tasks: [("t", 1)])

        let missing = Self.refusal { try s.deleteJob("job-nope") }
        #expect(missing == .notFound(.job("job-nope")))
        #expect(missing?.apiError == APIError(404, "InvalidResource.NotFound", "Specified resource is not found: job job-nope."))

        let running = Self.refusal { try s.deleteJob(id) }
        #expect(running == .stateConflict(.waiting))
        #expect(running?.apiError == APIError(409, "StateConflict", "User operation is invalid. The current resource state is Waiting."))

        try s.transitionJob(id, from: [.waiting, .running], to: .stopped)
        #expect(Self.refusal { try s.transitionJob(id, from: [.waiting, .running], to: .stopped) } == .stateConflict(.stopped))
        #expect(Self.refusal { try s.setPriority(id, 3) } == nil)

        let token = Self.refusal { _ = try s.createJob(name: "j", type: "DAG", priority: 1, description: "{\"x\":1}", token: "t", tasks: [("t", 1)]) }
        #expect(token?.apiError == APIError(400, "IdempotentTokenMismatch", "Specified idempotent token mismatch."))

        try s.createApp(name: "a", description: "{}")
        let twice = Self.refusal { try s.createApp(name: "a", description: "{}") }
        #expect(twice?.apiError == APIError(403, "InvalidResource.AlreadyExisting", "Specified resource already exists: app a."))

        let cluster = try s.createCluster(name: "c", description: #"{"Name":"c","Groups":{"g":{"DesiredVMCount":1}}}"#, token: nil)
        #expect(Self.refusal { _ = try s.recreateClusterVM(cluster: cluster, group: "h", id: "i-x") }?.apiError.message
                == "Specified resource is not found: group h of cluster \(cluster).")
        #expect(Self.refusal { _ = try s.recreateClusterVM(cluster: cluster, group: "g", id: "i-x") }?.apiError.message
                == "Specified resource is not found: instance i-x in group g of cluster \(cluster).")
        #expect(Self.refusal { try s.deleteImage("img-x") }?.apiError.message == "Specified resource is not found: image img-x.")
    }
}
