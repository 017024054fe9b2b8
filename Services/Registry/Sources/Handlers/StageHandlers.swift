import Bus
import Contracts
import RegistryDomain
import ServiceKit

/// PromoteModel, ArchiveModel, RollbackModel: one transaction each, under the
/// model name's lock, with a stage-history row for every model that moves.
struct StageHandlers: Sendable {
    let deps: ServiceDependencies

    func change(_ action: StageAction, _ request: Mlops_V1_Registry_StageRequest, _ context: BusContext) async throws -> Mlops_V1_Registry_Model {
        let change = try StageChange(validating: request, subject: context.subject)
        return try await deps.idempotency.once(context, request: request) { connection in
            let logger = context.logger
            guard let current = try await StageStore.lockAndRead(id: change.id, on: connection, logger: logger) else {
                throw BusError.notFound("model \(change.id) not found")
            }
            let plan = try applyingRules { () throws(RegistryRuleError) in
                try StageRules.plan(action, modelId: change.id, current: current.stage, wasProductionBefore: current.wasProduction)
            }
            if plan.archivesCurrentProduction {
                // First, so the one-production-per-name index holds at every statement.
                let reason = StageRules.displacedReason(by: action, newProductionId: change.id, reason: change.reason)
                try await StageStore.archiveProduction(of: current.name, exceptId: change.id, actor: change.actor, reason: reason, on: connection, logger: logger)
            }
            return try await StageStore.apply(plan, id: change.id, actor: change.actor, reason: change.reason, on: connection, logger: logger)
        }
    }
}
