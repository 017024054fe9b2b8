/// Every route of the gateway, by its spec: the access policy, the OpenAPI
/// document and the check that the router serves exactly these derive from
/// this list.
enum GatewayRoutes {
    static let specs: [RouteSpec] =
        SystemSpecs.all + AuthSpecs.all + ModelSpecs.all + UploadSpecs.all + DatasetSpecs.all + JobSpecs.all + GroundTruthSpecs.all
}
