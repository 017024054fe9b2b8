/// The probe service's methods (proto/mlops/v1/probe.proto).
public enum ProbeMethods {
    public static let service = "probe"
    public static let apply = BusMethod<Mlops_V1_Probe_ApplyRequest, Mlops_V1_Probe_ApplyReply>(service: service, name: "Apply", isMutating: true)
    public static let echo = BusMethod<Mlops_V1_Probe_EchoRequest, Mlops_V1_Probe_EchoReply>(service: service, name: "Echo", isMutating: false)
}
