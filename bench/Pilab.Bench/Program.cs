using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Pilab.Bench -- --filter '*'   (or a class name, e.g. '*HashBench*')
// dotnet run -c Release --project bench/Pilab.Bench -- live-latency [samples]   (LiveLatency: where pilab live's latency goes)
if (args is ["live-latency", ..]) return Pilab.Bench.LiveLatency.Run(args);
BenchmarkSwitcher.FromAssembly(typeof(Pilab.Bench.Sample).Assembly).Run(args);
return 0;
