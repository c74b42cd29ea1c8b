import BCAPI
import Hummingbird

/// `/quotas` and `/available`: what this engine offers, from its instance-type catalog.
struct ResourcesAPI {
    let engine: Engine

    static let resourceTypes = ["OnDemand", "Spot"]
    static let diskTypes = ["cloud", "cloud_efficiency", "cloud_ssd", "ephemeral"]

    func register(on router: Router<BasicRequestContext>) {
        router.on(Routes.quotas) { _, _ in
            let types = engine.catalog.names
            return Answer(Quotas(availableClusterInstanceType: types, availableSpotInstanceType: types,
                                 availableClusterResourceType: ResourcesAPI.resourceTypes,
                                 availableClusterInstanceSystemDiskType: ResourcesAPI.diskTypes,
                                 availableClusterInstanceDataDiskType: ResourcesAPI.diskTypes))
        }
        router.on(Routes.availableResources) { _, _ in
            let offers = engine.catalog.names.compactMap { engine.catalog[$0] }.map {
                AvailableResources.Offer(instanceType: $0.name, cpuCore: $0.cpu, memorySize: $0.memoryGiB)
            }
            return Answer(AvailableResources(availableClusterInstanceType: offers, availableSpotInstanceType: offers,
                                             availablePrepaidInstanceType: [], availableResourceType: ResourcesAPI.resourceTypes,
                                             availableSystemDiskType: ResourcesAPI.diskTypes, availableDataDiskType: ResourcesAPI.diskTypes))
        }
    }
}
