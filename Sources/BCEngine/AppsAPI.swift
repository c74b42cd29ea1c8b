import BCAPI
import Foundation
import Hummingbird

/// `/apps`: App descriptions with revisions. Every modification is a new revision.
struct AppsAPI {
    let engine: Engine
    var store: EngineStore { engine.store }

    static let fields: Set<String> = ["Name", "Description", "InputParameters", "OutputParameters", "Docker", "VM", "CommandLine",
                                      "EnvVars", "Daemonize", "Config", "Labels"]

    func register(on router: Router<BasicRequestContext>) {
        router.post("/apps") { request, _ in
            let body = try await APIServer.body(request)
            let name = try validate(body.object)
            try store.createApp(name: name, description: String(decoding: JSONBody.serialize(body.object), as: UTF8.self))
            return APIServer.json(["Name": name], status: .created)
        }
        router.get("/apps") { request, _ in
            let q = APIServer.query(request)
            if q["Scope"] == "Public" { return APIServer.json(["Items": [] as [Any], "NextMarker": ""]) }
            let (marker, limit) = try APIServer.page(q)
            let (rows, next) = try store.apps(after: marker, limit: limit, labels: try APIServer.labels(q))
            return APIServer.json(["Items": try rows.map(appJSON), "NextMarker": next])
        }
        router.get("/apps/:name") { request, context in
            let name = try context.parameters.require("name")
            let q = APIServer.query(request)
            if q["Scope"] == "Public" { throw APIError.notFound("public app \(name)") }
            if q["Revisions"] != nil {
                let rows = try store.appRevisions(name)
                guard !rows.isEmpty else { throw APIError.notFound("app \(name)") }
                return APIServer.json(["Items": rows.map { ["Revision": $0.revision, "UpdateTime": WireTime.format($0.creationTime)] },
                                       "NextMarker": ""])
            }
            let revision = q["Qualifier"].flatMap { Int($0) }
            guard let row = try store.app(name, revision: revision) else { throw APIError.notFound("app \(name)") }
            return APIServer.json(try appJSON(row))
        }
        router.put("/apps/:name") { request, context in
            let name = try context.parameters.require("name")
            let body = try await APIServer.body(request)
            var object = body.object
            object["Name"] = object["Name"] ?? name
            guard try validate(object) == name else { throw APIError.invalid("Name", "an app cannot be renamed") }
            try store.modifyApp(name: name, description: String(decoding: JSONBody.serialize(object), as: UTF8.self))
            return APIServer.json([:] as [String: Any])
        }
        router.delete("/apps/:name") { request, context in
            try store.deleteApp(try context.parameters.require("name"), revision: APIServer.query(request)["Qualifier"].flatMap { Int($0) })
            return APIServer.json([:] as [String: Any])
        }
    }

    /// Checks an AppDescription; returns its name.
    func validate(_ o: [String: Any]) throws -> String {
        try JSONBody.checkKnown(o, AppsAPI.fields, where: "")
        try JSONBody.checkLabels(o)
        let name = try JSONBody.string(o, "Name", required: true)!
        guard name.range(of: #"^[A-Za-z_-][A-Za-z0-9_-]{0,63}$"#, options: .regularExpression) != nil else {
            throw APIError.invalid("Name", "letters, digits, _ and -, not starting with a digit")
        }
        _ = try JSONBody.string(o, "CommandLine", required: true)
        let docker = try JSONBody.dict(o, "Docker"), vm = try JSONBody.dict(o, "VM")
        if docker != nil && vm != nil { throw APIError.invalid("Docker", "set Docker or VM, not both") }
        if let docker { _ = try JSONBody.string(docker, "Image", required: true) }
        for key in ["InputParameters", "OutputParameters"] {
            for (p, value) in try JSONBody.dict(o, key) ?? [:] {
                guard let param = value as? [String: Any] else { throw APIError.invalid(key, "parameter \(p) must be an object") }
                if let t = try JSONBody.string(param, "Type"), !["String", "Number"].contains(t) {
                    throw APIError.invalid("Type", "parameter \(p): Type must be String or Number")
                }
            }
        }
        return name
    }

    func appJSON(_ row: EngineStore.AppRow) throws -> [String: Any] {
        var o = try JSONBody.parse(Data(row.description.utf8)).object
        o["CreationTime"] = WireTime.format(row.creationTime)
        o["Revision"] = row.revision
        return o
    }
}
