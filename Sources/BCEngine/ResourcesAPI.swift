import Hummingbird

/// `/quotas` and `/available`: what this engine offers, from its instance-type catalog.
struct ResourcesAPI {
    let engine: Engine

    func register(on router: Router<BasicRequestContext>) {
        router.get("/quotas") { _, _ in
            let types = engine.catalog.names
            return APIServer.json([
                "AvailableClusterInstanceType": types, "AvailableSpotInstanceType": types,
                "AvailableClusterResourceType": ["OnDemand", "Spot"],
                "AvailableClusterInstanceSystemDiskType": ["cloud", "cloud_efficiency", "cloud_ssd", "ephemeral"],
                "AvailableClusterInstanceDataDiskType": ["cloud", "cloud_efficiency", "cloud_ssd", "ephemeral"],
            ])
        }
        router.get("/available") { _, _ in
            let types: [[String: Any]] = engine.catalog.names.compactMap { engine.catalog[$0] }.map {
                ["InstanceType": $0.name, "CpuCore": $0.cpu, "MemorySize": $0.memoryGiB, "Network": ["Classic": false, "Vpc": true]]
            }
            return APIServer.json([
                "AvailableClusterInstanceType": types, "AvailableSpotInstanceType": types, "AvailablePrepaidInstanceType": [] as [Any],
                "AvailableResourceType": ["OnDemand", "Spot"],
                "AvailableSystemDiskType": ["cloud", "cloud_efficiency", "cloud_ssd", "ephemeral"],
                "AvailableDataDiskType": ["cloud", "cloud_efficiency", "cloud_ssd", "ephemeral"],
            ])
        }
    }
}
