import Logging
import PostgresNIO

extension PostgresClient {
    /// `withTransaction`, answering with the body's own error (a handler's
    /// BusError: NOT_FOUND, FAILED_PRECONDITION, …) once the rollback worked,
    /// instead of PostgresNIO's wrapper, which the bus would report as INTERNAL.
    public func transaction<T: Sendable>(logger: Logger, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await withTransaction(logger: logger, body)
        } catch let error as PostgresTransactionError {
            if let bodyError = error.closureError, error.rollbackError == nil { throw bodyError }
            throw error
        }
    }
}
