import Bus
import Contracts
import ServiceKit

/// PromoteModel, ArchiveModel, RollbackModel: one transaction each, under the
/// model name's lock, with a stage-history row for every model that moves.
struct StageHandlers: Sendable {
    let deps: ServiceDependencies

    func change(_ action: StageAction, _ request: Mlops_V1_Registry_StageRequest, _ context: BusContext) async throws -> Mlops_V1_Registry_Model {
        let input = try StageChangeInput(validating: request, subject: context.subject)
        return try await deps.idempotency.once(context, request: request) { connection in
            let logger = context.logger
            guard let current = try await StageStore.lockAndRead(id: input.id, on: connection, logger: logger) else {
                throw BusError.notFound("model \(input.id) not found")
            }
            let plan = try StageRules.plan(action, modelId: input.id, current: current.stage, wasProductionBefore: current.wasProduction)
            if plan.archivesCurrentProduction {
                // First, so the one-production-per-name index holds at every statement.
                let reason = StageRules.displacedReason(by: action, newProductionId: input.id, reason: input.reason)
                try await StageStore.archiveProduction(of: current.name, exceptId: input.id, actor: input.actor, reason: reason, on: connection, logger: logger)
            }
            return try await StageStore.apply(plan, id: input.id, actor: input.actor, reason: input.reason, on: connection, logger: logger)
        }
    }
}
