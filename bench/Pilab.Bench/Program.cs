using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Pilab.Bench -- --filter '*'   (or a class name, e.g. '*HashBench*')
BenchmarkSwitcher.FromAssembly(typeof(Pilab.Bench.Sample).Assembly).Run(args);
