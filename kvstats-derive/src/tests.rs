//! Property test of the whole macro over `proc_macro2`: for many generated
//! inputs, well-formed and not, the macro never panics, and its output always
//! parses as Rust items: the expansion, or compile errors followed by stubs.
//!
//! A small deterministic generator instead of proptest: the inputs are built
//! as source text from pools of good and bad pieces, which needs no
//! shrinking to read (a failure prints the input), builds in no time and is
//! the same on every run.

use std::panic::{catch_unwind, AssertUnwindSafe};

use quote::ToTokens;

/// Inputs that must parse as a `DeriveInput` and go through the macro, in
/// all; split over `THREADS` generators with their own seeds, as parsing the
/// output in a debug build is what takes the time.
const CASES: usize = 10_000;
const THREADS: u64 = 2;

/// splitmix64: tiny, fast, good enough to pick from pools.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, pool: &[&'a str]) -> &'a str {
        pool[self.below(pool.len())]
    }
}

#[rustfmt::skip]
const STRUCT_NAMES: &[&str] = &[
    "KvStats", "WorkerStats", "kvstats", "Type", "r#type", "r#match", "SELF", "Crate", "Super",
    "Név", "Stats2D", "HTTPStats", "X", "_Stats", "Gauges", "KvStatsGauges", "Async",
];

#[rustfmt::skip]
const FIELD_NAMES: &[&str] = &[
    "kv_active_blocks", "total", "r#type", "r#match", "new", "register", "clear", "all", "prefix",
    "Some", "név", "blöcke", "x1", "_x", "__x", "a", "active_blocks", "gpu_cache_usage",
    "gpu_cache_usage_percent", "stats", "index", "self_", "ALL", "PREFIX",
];

#[rustfmt::skip]
const TYPES: &[&str] = &[
    "u64", "u32", "f32", "f64", "bool", "i8", "usize", "Option<u32>", "Option<f64>", "Vec<u32>",
    "Option<Vec<u32>>", "[u8; 4]", "Option<[i16; 2]>", "String", "(u64, u64)", "&'static u64",
    "Inner", "Option<Inner>", "crate::a::B", "::core::option::Option<u8>", "Box<dyn Fn()>", "T",
    "&'a u64", "Self", "Vec<Inner>", "<T as Tr>::A", "fn() -> u64", "()", "[u64]", "dyn Tr",
    "impl Tr", "Duration", "Vec<Duration>", "Option<Duration>", "std::time::Duration",
    "HashMap<String, u64>", "BTreeMap<u8, f64>", "Vec<(String, u32)>", "[(u8, u8); 2]",
    "Option<HashMap<String, u32>>", "HashMap<Vec<u8>, u64>", "Vec<Option<f64>>",
    "&'static [f64]", "HashMap<String, Vec<f64>>", "Vec<(u8, u8, u8)>",
];

/// What follows `histogram` in a careful user's hand: nothing (the default
/// buckets, for seconds) or a good bucket spec.
#[rustfmt::skip]
const GOOD_BUCKETS: &[&str] = &[
    "", "(buckets = [0.1, 0.5, 1])", "(buckets = [1])", "(buckets = [-1, 0, 1e300])",
    "(buckets = exponential(0.005, 2, 12))", "(buckets = linear(1, 1, 10))",
    "(buckets = linear(-5, 0.5, 128))", "(buckets = [1, 2,])", "(buckets = [1],)",
];

/// Bad bucket specs, of every kind the grammar rejects.
#[rustfmt::skip]
const BAD_BUCKETS: &[&str] = &[
    "(buckets = [0.5, 0.1])", "(buckets = [1, 1])", "(buckets = [])", "(buckets = [1e999])",
    "(buckets = [-1e999, 0])", "(buckets = [\"1\"])", "(buckets = [x])", "(buckets = [1u8])",
    "(buckets = 0.5)", "(buckets = exponential)", "(buckets = exponential(0, 2, 3))",
    "(buckets = exponential(1, 1, 3))", "(buckets = exponential(1e300, 1e10, 5))",
    "(buckets = linear(1, 0, 3))", "(buckets = linear(1, 1, 0))", "(buckets = linear(1, 1, 2.5))",
    "(buckets = linear(1, 1, 129))", "(buckets = linear(1, 1))", "(buckets = linear(1, 1, 1, 1))",
    "(buckets = quadratic(1, 1, 2))", "(bounds = [1])", "([1, 2])", "()", "(buckets)",
    "(buckets =)", "(buckets = [1], buckets = [2])", "(buckets = [1] extra)", " = [0.1, 1]",
    " = 1", "[1]", "(buckets = linear(-1e308, 1e308, 128))", "(buckets = (1, 2))",
    "(buckets = [0.1; 3])",
];

/// What follows `aggregate`, `ratio_of` and `alert`, good and bad alike.
#[rustfmt::skip]
const FLEET_VALUES: &[&str] = &[
    " = \"sum\"", " = \"avg, max\"", " = \"none\"", " = \"rate\"", " = \"mean\"",
    " = \"sum,\"", " = \"none, sum\"", " = \"max, max\"", " = sum",
    "(numerator = \"blocks_0\", denominator = \"slots_1\")", "(numerator = \"x\")",
    "(numerator = \"usage_2\", denominator = \"usage_2\")", "(divisor = \"a\")",
    "(above = 0.95, for = \"5m\", severity = \"warning\", summary = \"s\")",
    "(below = -1, name = \"Low\")", "(absent, for = \"30s\")", "(absent, above = 1)",
    "(above = \"1\")", "(above = 1e999)", "(for = \"5 m\")", "(severity = \"high\")",
    "(above = 1, name = \"a b\")", "(above = 1, for = \"1h30m\", for = \"1h\")", "()",
    "(above)", "(absent = 1)", " = 1", "(r#for = \"5m\", absent)",
];

/// A ratio and the two fields it divides, as a careful user writes them.
const RATIO_FIELDS: &str = "
    /// Blocks in use
    pub used_blocks: u64,
    /// Blocks in all
    pub all_blocks: u64,
    /// Blocks in use of all
    #[prom(ratio_of(numerator = \"used_blocks\", denominator = \"all_blocks\"))]
    pub block_usage: f64,
";

#[rustfmt::skip]
const STRINGS: &[&str] = &[
    "\"kvstats\"", "\"active_blocks\"", "\"\"", "\" \"", "\"a-b\"", "\"1abc\"", "\"név\"",
    "\"a:b\"", "\"__x\"", "\"type\"", "\"self\"", "\"crate\"", "\"Self\"", "\"_\"", "\"r#type\"",
    "\"seconds\"", "\"percent\"", "\"position\"", "\"KvStats\"", "\"kv_stats\"", "\"a b\"",
    "\"::kvstats_core\"", "\"kvstats_core\"", "\"not a path\"", "\"a::<T>\"", "\"//x\"",
    "\"/* x */\"", "\"\\\"\"", "\"x\\ny\"", "\"|\"", "\"ALL\"", "\"all\"", "\"prefix\"", "\"{}\"",
    "\"é\"", "\"\\u{0}\"", "r#\"raw\"#", "\"abc\"suffix", "b\"bytes\"", "c\"c\"",
];

#[rustfmt::skip]
const NUMBERS: &[&str] = &[
    "0", "1", "64", "4096", "4097", "1000000", "18446744073709551616", "-1", "100.0", "1e999",
    "-1e999", "0.5", "1e-320", "-0.0", "1_000", "0x10", "5u8", "2.5f32", "1f64", "'c'", "true",
];

/// Every key, as the macro declares them, so a new key is generated too.
const CONTAINER_KEYS: &[&str] = crate::attr::CONTAINER.keys;
const FIELD_KEYS: &[&str] = crate::attr::FIELD.keys;

#[rustfmt::skip]
const ODD_KEYS: &[&str] = &[
    "colour", "hepl", "a::b", "r#name", "type", "Self", "self", "_",
];

#[rustfmt::skip]
const GARBAGE: &[&str] = &[
    "=", "==", ",", ",,", "-", "#", "::", "'a", "(", ")", "[1, 2]", "{ x }", "(0.0, 1.0)",
    "(1.0, 0.0)", "(0.0)", "(\"a\", \"b\")", "(-1, 1e999)", "= = 5", "x y", "!", "..",
];

fn value(rng: &mut Rng) -> String {
    match rng.below(10) {
        0..=4 => format!(" = {}", rng.pick(STRINGS)),
        5 | 6 => format!(" = {}", rng.pick(NUMBERS)),
        7 => String::new(),
        8 => format!("({}, {})", rng.pick(NUMBERS), rng.pick(NUMBERS)),
        _ => format!(" {}", rng.pick(GARBAGE)),
    }
}

fn key(rng: &mut Rng, keys: &[&str]) -> String {
    let key = match rng.below(10) {
        0 => rng.pick(ODD_KEYS),
        1 => rng.pick(if keys == CONTAINER_KEYS {
            FIELD_KEYS
        } else {
            CONTAINER_KEYS
        }),
        _ => rng.pick(keys),
    };
    // Kind keys take no value (`counter`, `delta`) or buckets (`histogram`).
    let value = match key {
        "histogram" if rng.chance(80) => {
            let pool = if rng.chance(50) {
                GOOD_BUCKETS
            } else {
                BAD_BUCKETS
            };
            rng.pick(pool).to_owned()
        }
        "counter" | "delta" if rng.chance(70) => String::new(),
        "aggregate" | "ratio_of" | "alert" if rng.chance(70) => rng.pick(FLEET_VALUES).to_owned(),
        _ => value(rng),
    };
    format!("{key}{value}")
}

fn prom_attrs(rng: &mut Rng, keys: &[&str], percent: usize) -> String {
    let mut out = String::new();
    while rng.chance(percent) {
        out.push_str(&match rng.below(12) {
            0 => String::from("#[prom]"),
            1 => format!("#[prom = {}]", rng.pick(STRINGS)),
            2 => format!("#[prom({})]", rng.pick(GARBAGE)),
            _ => {
                let keys: Vec<String> = (0..=rng.below(3)).map(|_| key(rng, keys)).collect();
                format!("#[prom({})]", keys.join(", "))
            }
        });
        out.push('\n');
    }
    out
}

fn field(rng: &mut Rng) -> String {
    let mut out = String::new();
    for _ in 0..rng.below(3) {
        let line = [
            "/// Number of active KV cache blocks",
            "///",
            "/// |a|b|",
            "#[doc = \"x\"]",
        ];
        out.push_str(rng.pick(&line));
        out.push('\n');
    }
    out.push_str(&prom_attrs(rng, FIELD_KEYS, 60));
    format!("{out}pub {}: {},\n", rng.pick(FIELD_NAMES), rng.pick(TYPES))
}

/// A field as a careful user writes it: documented, with keys and values of
/// the right kind (which may still collide with another field's).
fn good_field(rng: &mut Rng, index: usize) -> String {
    let name = format!(
        "{}_{index}",
        rng.pick(&["blocks", "r#type", "usage", "slots"])
    );
    let (ty, mut keys) = match rng.below(16) {
        10 => (
            rng.pick(&["u64", "f64", "Option<u32>"]),
            vec![String::from(rng.pick(&["counter", "counter, delta"]))],
        ),
        11 => ("Duration", vec![String::from("counter, delta")]),
        12 => (
            rng.pick(&["Vec<Duration>", "Option<Duration>"]),
            vec![String::from("histogram")],
        ),
        13 => (
            rng.pick(&["Vec<f64>", "[u32; 4]", "Option<f32>", "u64"]),
            vec![format!("histogram{}", rng.pick(&GOOD_BUCKETS[1..]))],
        ),
        14 => (
            rng.pick(&[
                "HashMap<String, u64>",
                "BTreeMap<u8, f64>",
                "Vec<(&'static str, u32)>",
            ]),
            vec![format!(
                "label = \"reason\"{}",
                rng.pick(&["", ", counter", ", counter, delta", ", max = 3"])
            )],
        ),
        15 => (
            "Option<Vec<u32>>",
            vec![String::from("counter, delta, label = \"position\"")],
        ),
        0 => ("Vec<u32>", vec![String::from("label = \"position\"")]),
        1 => (
            "Option<[u8; 4]>",
            vec![String::from("label = \"tier\", max = 2")],
        ),
        2 => ("Inner", vec![String::from("flatten")]),
        3 => ("Option<Inner>", vec![String::from("flatten")]),
        4 => ("String", vec![String::from("skip")]),
        _ => (
            rng.pick(&["u64", "f32", "bool", "Option<u32>", "i64"]),
            Vec::new(),
        ),
    };
    if keys.is_empty() || !matches!(keys[0].as_str(), "flatten" | "skip") {
        let optional = [
            "name = \"active_blocks\"",
            "unit = \"seconds\"",
            "scale = 100.0",
            "clamp(0.0, 1.0)",
            "deprecated_name = \"old_name\"",
            "help = \"Help | with a pipe\"",
            "aggregate = \"max\"",
            "aggregate = \"none\"",
            "alert(above = 0.95, for = \"5m\", severity = \"critical\")",
            "alert(absent, for = \"30s\", summary = \"{{ $labels.instance }} stopped\")",
            "ratio_of(numerator = \"blocks_0\", denominator = \"slots_1\")",
        ];
        keys.extend((0..rng.below(3)).map(|_| rng.pick(&optional).to_owned()));
        keys.dedup();
    }
    let attrs = if keys.is_empty() {
        String::new()
    } else {
        format!("#[prom({})]", keys.join(", "))
    };
    format!("/// What field {index} measures\n{attrs}\npub {name}: {ty},\n")
}

/// One input as source text: a careful one a third of the time, else one
/// made of good and bad pieces alike.
fn input(rng: &mut Rng) -> String {
    if rng.chance(33) {
        let attrs = rng.pick(&[
            "",
            "#[prom(prefix = \"kvstats\")]",
            "#[prom(prefix = \"worker\", module = \"worker_names\", gauges = \"Wg\")]",
            "#[prom(crate = \"::kv_metrics\", prefix = \"type\")]",
            "#[prom(prefix = \"kv\", alert(absent, for = \"1m\", severity = \"info\"))]",
        ]);
        let mut fields: String = (0..=rng.below(4)).map(|i| good_field(rng, i)).collect();
        if rng.chance(30) {
            fields.push_str(RATIO_FIELDS);
        }
        return format!(
            "{attrs}\npub struct {} {{ {fields} }}",
            rng.pick(STRUCT_NAMES)
        );
    }
    let attrs = prom_attrs(rng, CONTAINER_KEYS, 50);
    let name = rng.pick(STRUCT_NAMES);
    let generics = match rng.below(12) {
        0 => "<T>",
        1 => "<'a>",
        2 => "<T: Copy, const N: usize>",
        _ => "",
    };
    let fields: String = (0..rng.below(5)).map(|_| field(rng)).collect();
    let body = match rng.below(20) {
        0 => format!("pub struct {name}{generics}(u64, u32);"),
        1 => format!("pub struct {name}{generics};"),
        2 => format!("pub enum {name}{generics} {{ A {{ {fields} }}, B }}"),
        3 => format!("pub union {name}{generics} {{ {fields} }}"),
        4 => format!("pub struct {name}{generics} where u8: Copy {{ {fields} }}"),
        _ => format!("pub struct {name}{generics} {{ {fields} }}"),
    };
    format!("{attrs}{body}")
}

#[derive(Default)]
struct Tally {
    expanded: usize,
    rejected: usize,
    not_rust: usize,
    /// Clean inputs that export a counter, a histogram.
    counters: usize,
    histograms: usize,
    /// Clean inputs with an alert, a ratio.
    alerts: usize,
    ratios: usize,
}

#[test]
fn never_panics_and_always_yields_items() {
    let tallies: Vec<Tally> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..THREADS)
            .map(|seed| {
                scope.spawn(move || run(0x006b_7673_7461_7473 + seed, CASES / THREADS as usize))
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("a worker failed"))
            .collect()
    });
    let expanded: usize = tallies.iter().map(|t| t.expanded).sum();
    let rejected: usize = tallies.iter().map(|t| t.rejected).sum();
    let not_rust: usize = tallies.iter().map(|t| t.not_rust).sum();
    let counters: usize = tallies.iter().map(|t| t.counters).sum();
    let histograms: usize = tallies.iter().map(|t| t.histograms).sum();
    let alerts: usize = tallies.iter().map(|t| t.alerts).sum();
    let ratios: usize = tallies.iter().map(|t| t.ratios).sum();
    assert!(expanded + rejected >= CASES);
    // Every kind is expanded, not only rejected.
    assert!(
        counters > CASES / 20,
        "only {counters} clean inputs with a counter"
    );
    assert!(
        histograms > CASES / 20,
        "only {histograms} clean inputs with a histogram"
    );
    assert!(
        alerts > CASES / 50,
        "only {alerts} clean inputs with an alert"
    );
    assert!(
        ratios > CASES / 200,
        "only {ratios} clean inputs with a ratio"
    );
    // The pools must reach both outcomes often, or the test proves little.
    assert!(expanded > CASES / 5, "only {expanded} clean inputs");
    assert!(rejected > CASES / 2, "only {rejected} bad inputs");
    assert!(not_rust < CASES / 5, "{not_rust} inputs did not even parse");
}

fn run(seed: u64, cases: usize) -> Tally {
    let mut rng = Rng(seed);
    let mut tally = Tally::default();
    while tally.expanded + tally.rejected < cases {
        let source = input(&mut rng);
        let Ok(parsed) = syn::parse_str::<syn::DeriveInput>(&source) else {
            tally.not_rust += 1;
            continue;
        };
        let output = catch_unwind(AssertUnwindSafe(|| crate::derive(&parsed)))
            .unwrap_or_else(|_| panic!("the macro panicked on:\n{source}"));
        let file = syn::parse2::<syn::File>(output.clone())
            .unwrap_or_else(|e| panic!("output is not Rust items ({e}) for:\n{source}\n{output}"));
        // Errors or not, the container is there for the user's code to use.
        assert!(
            file.items.iter().any(|i| matches!(i, syn::Item::Struct(_))),
            "no container for:\n{source}\n{output}"
        );
        if file.items.iter().any(is_compile_error) {
            tally.rejected += 1;
        } else {
            tally.expanded += 1;
            let text = output.to_string();
            tally.counters += usize::from(text.contains("MetricKind :: Counter"));
            tally.histograms += usize::from(text.contains("MetricKind :: Histogram"));
            tally.alerts += usize::from(text.contains("AlertDef {"));
            tally.ratios += usize::from(text.contains("RatioOf {"));
        }
    }
    tally
}

fn is_compile_error(item: &syn::Item) -> bool {
    match item {
        syn::Item::Macro(m) => m
            .mac
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "compile_error"),
        _ => false,
    }
}

#[test]
fn crate_path_replaces_kvstats_core_everywhere() {
    let input: syn::DeriveInput = syn::parse_quote! {
        #[prom(crate = "kv_metrics", prefix = "kvstats")]
        pub struct KvStats {
            /// Number of active KV cache blocks currently in use
            #[prom(label = "position", scale = 2.0, clamp(0.0, 1.0))]
            pub a: Vec<u32>,
            /// Total number of KV cache blocks available
            pub b: Option<u64>,
            /// Nested
            #[prom(flatten)]
            pub c: Option<Inner>,
        }
    };
    let output = crate::derive(&input).to_token_stream().to_string();
    assert!(!output.contains("kvstats_core"), "{output}");
    assert!(output.contains("kv_metrics :: __private"), "{output}");
}
