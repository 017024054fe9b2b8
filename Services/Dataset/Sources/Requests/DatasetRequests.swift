import Bus
import Contracts

/// A validated ListDatasets request.
struct DatasetListQuery {
    var status: Mlops_V1_Dataset_DatasetStatus?
    var search: String?
    var skip: Int
    var limit: Int

    init(validating request: Mlops_V1_Dataset_ListDatasetsRequest) throws {
        if request.status == .unspecified {
            status = nil
        } else {
            guard request.status.name != nil else {
                throw BusError.invalidArgument(field: "status", "must be one of \(Mlops_V1_Dataset_DatasetStatus.namesList)")
            }
            status = request.status
        }
        search = request.search.isEmpty ? nil : request.search
        (skip, limit) = try Fields.page(skip: request.skip, limit: request.limit)
    }
}

/// A validated UpdateDataset request: the status a user may set and, when
/// asked, the new description (nil inside: cleared).
struct DatasetUpdate {
    var id: Int64
    var status: Mlops_V1_Dataset_DatasetStatus?
    var description: String??

    init(validating request: Mlops_V1_Dataset_UpdateDatasetRequest) throws {
        id = try Fields.id(request.id, field: "id")
        if request.status == .unspecified {
            status = nil
        } else {
            let settable = Mlops_V1_Dataset_DatasetStatus.settable
            guard settable.contains(request.status) else {
                throw BusError.invalidArgument(field: "status", "must be one of \(settable.compactMap(\.name).joined(separator: ", "))")
            }
            status = request.status
        }
        description = request.setDescription ? .some(try Fields.text(request.description_p, field: "description", max: 10_000)) : nil
    }
}
