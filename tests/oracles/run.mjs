// Run Python on a Pyodide CPython (WebAssembly, under node), as `python3 FILE [ARGS]` or `python3 -c CODE
// [ARGS]` would:
//
//     node tests/oracles/run.mjs pyodide-314 [-O] FILE.py [ARGS...]
//     node tests/oracles/run.mjs pyodide-315 [-O] -c CODE [ARGS...]
//
// `-O` compiles without `assert` statements, as `python3 -O` (heapscope verify uses it: a scenario's asserts
// may check sizes, which differ on wasm32).
// The file (and every .py file beside it, for imports) is copied into Pyodide's in-memory file system at the
// same path, `sys.argv` is `[FILE, ARGS...]` (`['-c', ARGS...]` for code), and it runs as `__main__`. Piped
// standard input is readable; standard output and error are passed through unbuffered; the exit status is the
// script's (1 on an uncaught exception, as python3).
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const [pkg, ...rest] = process.argv.slice(2);
const optimize = rest[0] === "-O" ? (rest.shift(), 1) : 0;
const [file, ...args] = rest;
if (!pkg || !file) {
  console.error("usage: node run.mjs <pyodide-314|pyodide-315> FILE.py [ARGS...]");
  process.exit(2);
}
const here = dirname(fileURLToPath(import.meta.url));
const { loadPyodide } = await import(join(here, "node_modules", pkg, "pyodide.mjs"));
const out = (fd) => ({ write: (bytes) => { process[fd].write(bytes); return bytes.length; } });
const py = await loadPyodide({ stdout: () => {}, stderr: () => {} });
py.setStdout(out("stdout"));
py.setStderr(out("stderr"));

if (!process.stdin.isTTY) {
  const input = readFileSync(0);
  let at = 0;
  py.setStdin({ read: (buf) => { const n = input.copy(buf, 0, at); at += n; return n; } });
}
let path, dir, argv;
if (file === "-c") {
  dir = "/tmp";
  path = "/tmp/__heapscope_c__.py";
  py.FS.mkdirTree(dir);
  py.FS.writeFile(path, args.shift() ?? "");
  argv = ["-c", ...args];
} else {
  path = resolve(file);
  dir = dirname(path);
  py.FS.mkdirTree(dir);
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (name.endsWith(".py") && statSync(full).isFile()) {
      py.FS.writeFile(full, readFileSync(full));
    }
  }
  argv = [path, ...args];
}
py.globals.set("__heapscope_path", path);
py.globals.set("__heapscope_argv", py.toPy(argv));
const status = await py.runPythonAsync(`
import builtins, sys, traceback
sys.argv = list(__heapscope_argv)
sys.path.insert(0, ${JSON.stringify(dir)})
def __heapscope_main(path, name):
    main = {"__name__": "__main__", "__builtins__": builtins}
    if name != "<string>":
        main["__file__"] = path
    try:
        with open(path) as f:
            # Parsed apart and kept while the module runs: its constants hold what python3's parse arena
            # holds for \`python3 FILE\` (one reference to every literal; a bare exec holds none).
            tree = __import__("ast").parse(f.read(), name, "exec", optimize=1)
            code = compile(tree, name, "exec", optimize=${optimize})
        exec(code, main)
    except SystemExit as e:
        code = e.code
        if code is None:
            return 0
        if isinstance(code, int):
            return code
        print(code, file=sys.stderr)
        return 1
    except BaseException as e:
        # Leave out this runner's own frame, as python3's traceback starts at the script.
        traceback.print_exception(type(e), e, e.__traceback__.tb_next)
        return 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
    return 0
__heapscope_main(__heapscope_path, ${JSON.stringify(file === "-c" ? "<string>" : "")} or __heapscope_path)
`);
process.exitCode = status;
