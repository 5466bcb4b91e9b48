//! A simulated inference worker: requests arrive in waves, take request
//! slots and KV-cache blocks, are prefilled, decode with speculative drafts,
//! are preempted when the cache runs out, and leave (a stop token, their
//! token limit, or a client that went away).
//!
//! Everything follows from the seed and the step count (no clock: the
//! engine's time is simulated, a step being a few decode iterations whose
//! length grows with the batch and the prefill), so a run with `--seed S`
//! publishes the same values on every machine: the generator is rand's
//! ChaCha8Rng, one of its "portable" generators, whose output for a seed is
//! the same on every platform and in every release (SplitMix or rand's
//! `StdRng` and `SmallRng` promise neither).

use std::collections::VecDeque;
use std::time::Duration;

use kvstats_core::dynamo::{ForwardPassMetrics, KvStats, SpecDecodeStats, WorkerStats};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use crate::stats::{EngineStats, FinishReason, LORA_ADAPTERS};

/// KV-cache blocks of one simulated worker (the reference scrape's value).
pub const TOTAL_BLOCKS: u64 = 12894;
/// Request slots of one simulated worker.
pub const TOTAL_SLOTS: u64 = 256;
/// Draft tokens proposed per speculative decoding step.
pub const SPEC_TOKENS: u32 = 3;
/// The blocks a hot rank (`worker --hot-rank`) keeps pinned: 97% of the
/// cache, so its usage stays above the 0.95 of the `KvCacheNearlyFull`
/// alert while the rest still admits small requests.
pub const HOT_PINNED_BLOCKS: u64 = TOTAL_BLOCKS * 97 / 100;

const BLOCK_TOKENS: u64 = 16;
/// Blocks admission leaves free for the running requests to grow into
/// (0.5%, like vLLM's watermark); when they outgrow the cache all the same,
/// the latest admitted is preempted.
const WATERMARK_BLOCKS: u64 = TOTAL_BLOCKS / 200;
/// One published step stands for this many decode iterations.
const ITERATIONS_PER_STEP: u32 = 4;
/// Arrivals past this many waiting requests are turned away, as a real
/// server's admission queue would, so a long run stays bounded in memory.
const MAX_WAITING: usize = 512;
/// Mean arrivals per step at the crest of the load wave: enough to fill the
/// KV cache there, so requests queue and running ones are preempted.
const PEAK_ARRIVALS: f64 = 7.0;
/// Steps per radian of the load wave (one cycle is about 75 s at 100 ms).
const WAVE_STEPS: f64 = 120.0;
/// Share of the requests that run on a LoRA adapter (the rest on the base model).
const LORA_SHARE: f64 = 0.6;
/// Share of the requests that end with a stop token before their limit.
const STOP_SHARE: f64 = 0.7;
/// Chance, per step, that the client of a running request goes away.
const ABORT_PER_STEP: f64 = 0.002;
/// A decode iteration's fixed cost, its cost per running request, and the
/// cost of prefilling one prompt token that is not in the prefix cache.
const ITERATION_BASE: Duration = Duration::from_millis(8);
const ITERATION_PER_REQUEST: Duration = Duration::from_micros(120);
const PREFILL_PER_TOKEN: Duration = Duration::from_micros(25);

struct Request {
    prompt_tokens: u64,
    /// The share of the prompt found in the prefix cache (not prefilled).
    cached: f64,
    generated: u64,
    target: u64,
    /// How the request ends when it reaches `target`.
    reason: FinishReason,
    /// Index into [`LORA_ADAPTERS`]; `None` for the base model.
    adapter: Option<usize>,
    /// Simulated time of arrival.
    arrived: Duration,
    /// Whether its first token is out (its time to first token observed).
    started: bool,
}

impl Request {
    fn blocks(&self) -> u64 {
        (self.prompt_tokens + self.generated).div_ceil(BLOCK_TOKENS)
    }

    fn done(&self) -> bool {
        self.generated >= self.target
    }
}

/// What one step of the simulation publishes: the reference runtime's
/// payload and the engine's per-step statistics, from the same requests.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// KV cache, slots and speculative decoding.
    pub forward_pass: ForwardPassMetrics,
    /// Tokens, preemptions, finished requests, latencies, LoRA adapters.
    pub engine: EngineStats,
}

/// One simulated worker (or data-parallel rank).
///
/// ```
/// use simulation::sim::{WorkerSim, TOTAL_BLOCKS};
///
/// let mut sim = WorkerSim::new(42, 0);
/// let step = sim.step();
/// assert_eq!(step.forward_pass.worker_stats.data_parallel_rank, Some(0));
/// assert_eq!(step.forward_pass.kv_stats.kv_total_blocks, TOTAL_BLOCKS);
/// assert_eq!(step.engine.requests_running, step.forward_pass.worker_stats.request_active_slots);
/// ```
pub struct WorkerSim {
    rng: ChaCha8Rng,
    rank: u32,
    step: u64,
    phase: f64,
    running: Vec<Request>,
    waiting: VecDeque<Request>,
    /// Blocks held outside the running requests, never freed.
    pinned: u64,
    /// The share of a prompt found in the prefix cache drifts over time.
    prefix_share: f64,
    hit_rate: f64,
    /// The engine's simulated clock, and the length of the last step.
    now: Duration,
    last_step: Duration,
}

/// What one step did, gathered while it runs.
#[derive(Default)]
struct Tally {
    engine: EngineStats,
    drafts: u32,
    per_position: Vec<u32>,
}

impl WorkerSim {
    /// A worker for data-parallel rank `rank`; ranks with the same seed see
    /// different traffic (each rank reads its own ChaCha stream of the seed).
    pub fn new(seed: u64, rank: u32) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(u64::from(rank));
        let phase = rng.random::<f64>() * std::f64::consts::TAU;
        let prefix_share = 0.2 + 0.6 * rng.random::<f64>();
        WorkerSim {
            rng,
            rank,
            step: 0,
            phase,
            running: Vec::new(),
            waiting: VecDeque::new(),
            pinned: 0,
            prefix_share,
            hit_rate: prefix_share,
            now: Duration::ZERO,
            last_step: Duration::ZERO,
        }
    }

    /// The same worker with `blocks` of its cache (at most all of them)
    /// held for good, as by a request that never ends: they count as
    /// active, and admission and preemption work with what is left.
    ///
    /// ```
    /// use simulation::sim::{WorkerSim, HOT_PINNED_BLOCKS};
    ///
    /// let mut sim = WorkerSim::new(42, 0).with_pinned_blocks(HOT_PINNED_BLOCKS);
    /// assert!(sim.step().forward_pass.kv_stats.gpu_cache_usage_perc > 0.95);
    /// ```
    pub fn with_pinned_blocks(mut self, blocks: u64) -> Self {
        self.pinned = blocks.min(TOTAL_BLOCKS);
        self
    }

    /// The rank given to [`new`](Self::new).
    ///
    /// ```
    /// assert_eq!(simulation::sim::WorkerSim::new(1, 3).rank(), 3);
    /// ```
    pub fn rank(&self) -> u32 {
        self.rank
    }

    /// Advances one step (requests arrive, are admitted and prefilled,
    /// decode, are preempted when the cache is full, finish) and returns
    /// what the worker publishes for it.
    ///
    /// ```
    /// let mut sim = simulation::sim::WorkerSim::new(7, 0);
    /// let first = sim.step();
    /// let later = (0..50).map(|_| sim.step()).last().unwrap();
    /// assert_ne!(first, later);
    /// ```
    pub fn step(&mut self) -> Step {
        self.step += 1;
        let mut tally = Tally {
            per_position: vec![0; SPEC_TOKENS as usize],
            ..Tally::default()
        };
        self.arrive();
        let prefill = self.admit(&mut tally);
        let started = self.now;
        self.decode(prefill, &mut tally);
        self.last_step = self.now - started;
        self.finish(&mut tally);
        self.publish(tally)
    }

    fn arrive(&mut self) {
        let wave = (self.step as f64 / WAVE_STEPS + self.phase).sin();
        let mean = PEAK_ARRIVALS * (0.5 + 0.45 * wave);
        self.prefix_share =
            (self.prefix_share + (self.rng.random::<f64>() - 0.5) * 0.04).clamp(0.05, 0.95);
        // A sum of coin flips: close enough to Poisson for traffic that looks real.
        const FLIPS: u32 = 8;
        for _ in 0..FLIPS {
            if !self.rng.random_bool(mean / f64::from(FLIPS)) {
                continue;
            }
            let cached =
                (self.prefix_share + (self.rng.random::<f64>() - 0.5) * 0.3).clamp(0.0, 1.0);
            self.hit_rate = 0.95 * self.hit_rate + 0.05 * cached;
            // Somewhere during the previous step.
            let arrived = self
                .now
                .saturating_sub(self.last_step.mul_f64(self.rng.random()));
            let reason = if self.rng.random_bool(STOP_SHARE) {
                FinishReason::Stop
            } else {
                FinishReason::Length
            };
            let adapter = self
                .rng
                .random_bool(LORA_SHARE)
                .then(|| self.rng.random_range(0..LORA_ADAPTERS.len()));
            if self.waiting.len() < MAX_WAITING {
                self.waiting.push_back(Request {
                    prompt_tokens: self.rng.random_range(64..2048),
                    cached,
                    generated: 0,
                    target: self.rng.random_range(16..512),
                    reason,
                    adapter,
                    arrived,
                    started: false,
                });
            }
        }
    }

    fn used_blocks(&self) -> u64 {
        self.pinned + self.running.iter().map(Request::blocks).sum::<u64>()
    }

    /// Admits waiting requests, first come first served, while a slot and
    /// their prompt's blocks (above the watermark) are free; returns the
    /// prompt tokens to prefill (those not in the prefix cache).
    fn admit(&mut self, tally: &mut Tally) -> u64 {
        let mut used = self.used_blocks();
        let mut prefill = 0;
        while let Some(next) = self.waiting.front() {
            let fits = used + next.blocks() + WATERMARK_BLOCKS <= TOTAL_BLOCKS;
            if self.running.len() as u64 >= TOTAL_SLOTS || !fits {
                break;
            }
            used += next.blocks();
            tally.engine.prompt_tokens += next.prompt_tokens;
            prefill += (next.prompt_tokens as f64 * (1.0 - next.cached)).round() as u64;
            if let Some(request) = self.waiting.pop_front() {
                self.running.push(request);
            }
        }
        prefill
    }

    /// Runs the decode iterations of one step, with a draft of `SPEC_TOKENS`
    /// per request and iteration (acceptance falls with the draft position);
    /// the first iteration also prefills the requests just admitted.
    fn decode(&mut self, mut prefill: u64, tally: &mut Tally) {
        for _ in 0..ITERATIONS_PER_STEP {
            let batch = self.running.iter().filter(|r| !r.done()).count() as u32;
            let cost = ITERATION_BASE
                + ITERATION_PER_REQUEST * batch
                + PREFILL_PER_TOKEN * u32::try_from(prefill).unwrap_or(u32::MAX);
            let took = cost.mul_f64(0.9 + 0.2 * self.rng.random::<f64>());
            self.now += took;
            prefill = 0;
            for request in self.running.iter_mut().filter(|r| !r.done()) {
                tally.drafts += 1;
                let mut accepted = 0;
                for (position, count) in tally.per_position.iter_mut().enumerate() {
                    if !self.rng.random_bool(0.75 * 0.8_f64.powi(position as i32)) {
                        break;
                    }
                    *count += 1;
                    accepted += 1;
                }
                let generated = (request.generated + 1 + accepted).min(request.target);
                tally.engine.generation_tokens += generated - request.generated;
                request.generated = generated;
                if request.started {
                    tally.engine.inter_token_latency.push(took);
                } else {
                    request.started = true;
                    let first = self.now.saturating_sub(request.arrived);
                    tally.engine.time_to_first_token.push(first);
                }
            }
            self.preempt_while_full(tally);
        }
    }

    /// While the running requests hold more blocks than the cache has, sends
    /// the latest admitted back to the front of the queue, to start over.
    fn preempt_while_full(&mut self, tally: &mut Tally) {
        let mut used = self.used_blocks();
        while used > TOTAL_BLOCKS {
            let Some(mut request) = self.running.pop() else {
                break;
            };
            used -= request.blocks();
            request.generated = 0;
            self.waiting.push_front(request);
            tally.engine.preemptions += 1;
        }
    }

    /// Takes out the requests that reached their end, and those whose
    /// client went away.
    fn finish(&mut self, tally: &mut Tally) {
        let mut finished = [0u64; FinishReason::ALL.len()];
        let rng = &mut self.rng;
        self.running.retain(|request| {
            let reason = if request.done() {
                request.reason
            } else if rng.random_bool(ABORT_PER_STEP) {
                FinishReason::Abort
            } else {
                return true;
            };
            finished[reason as usize] += 1;
            false
        });
        tally.engine.finished_requests = FinishReason::ALL.into_iter().zip(finished).collect();
    }

    fn publish(&self, tally: Tally) -> Step {
        let active = self.used_blocks();
        let mut per_adapter = [0u64; LORA_ADAPTERS.len()];
        for adapter in self.running.iter().filter_map(|r| r.adapter) {
            per_adapter[adapter] += 1;
        }
        let Tally {
            mut engine,
            drafts,
            per_position,
        } = tally;
        engine.requests_running = self.running.len() as u64;
        engine.requests_waiting = self.waiting.len() as u64;
        engine.running_lora_adapters = LORA_ADAPTERS.into_iter().zip(per_adapter).collect();
        let forward_pass = ForwardPassMetrics {
            worker_stats: WorkerStats {
                data_parallel_rank: Some(self.rank),
                request_active_slots: self.running.len() as u64,
                request_total_slots: TOTAL_SLOTS,
                num_requests_waiting: self.waiting.len() as u64,
            },
            kv_stats: KvStats {
                kv_active_blocks: active,
                kv_total_blocks: TOTAL_BLOCKS,
                gpu_cache_usage_perc: active as f32 / TOTAL_BLOCKS as f32,
                gpu_prefix_cache_hit_rate: self.hit_rate as f32,
            },
            spec_decode_stats: Some(SpecDecodeStats {
                num_spec_tokens: Some(SPEC_TOKENS),
                num_drafts: Some(drafts),
                num_draft_tokens: Some(drafts * SPEC_TOKENS),
                num_accepted_tokens: Some(per_position.iter().sum()),
                num_accepted_tokens_per_pos: Some(per_position),
            }),
        };
        Step {
            forward_pass,
            engine,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::published::Published;

    fn run(seed: u64, rank: u32, steps: usize) -> Vec<Step> {
        let mut sim = WorkerSim::new(seed, rank);
        (0..steps).map(|_| sim.step()).collect()
    }

    #[test]
    fn the_same_seed_publishes_the_same_values() {
        assert_eq!(run(5, 0, 300), run(5, 0, 300));
        assert_ne!(run(5, 0, 300), run(5, 1, 300));
    }

    /// What `worker --seed 42 --ranks 2 --print-published` prints at step 30,
    /// on every machine and every run: ChaCha8Rng's output is fixed for a
    /// seed, and rand keeps its sampling within a release series. A failure
    /// here means the same seed now publishes other values than it did (a
    /// new rand series, or a change to the simulation): update the lines
    /// only on purpose.
    #[test]
    fn a_seed_publishes_known_values() {
        let lines = [0, 1]
            .map(|rank| Published::of(rank, 30, &run(42, rank, 30)[29].forward_pass).to_string());
        assert_eq!(
            lines,
            [
                "published rank=0 step=30 kv_active_blocks=643 kv_total_blocks=12894 \
                 gpu_cache_usage_perc=0.049868155270814896 gpu_prefix_cache_hit_rate=0.7718749046325684",
                "published rank=1 step=30 kv_active_blocks=668 kv_total_blocks=12894 \
                 gpu_cache_usage_perc=0.051807042211294174 gpu_prefix_cache_hit_rate=0.3394884169101715",
            ]
        );
        // What the engine's counters and histograms hold after those 30 steps of rank 0.
        let steps = run(42, 0, 30);
        let total = |f: fn(&EngineStats) -> u64| steps.iter().map(|s| f(&s.engine)).sum::<u64>();
        let finished: Vec<u64> = (0..FinishReason::ALL.len())
            .map(|i| steps.iter().map(|s| s.engine.finished_requests[i].1).sum())
            .collect();
        let first_tokens: Duration = steps
            .iter()
            .flat_map(|s| &s.engine.time_to_first_token)
            .sum();
        let last = &steps[29].engine;
        assert_eq!(
            format!(
                "prompt_tokens={} generation_tokens={} preemptions={} finished={finished:?} \
                 first_tokens={} ttft_sum={first_tokens:?} lora={:?}",
                total(|e| e.prompt_tokens),
                total(|e| e.generation_tokens),
                total(|e| e.preemptions),
                steps
                    .iter()
                    .map(|s| s.engine.time_to_first_token.len())
                    .sum::<usize>(),
                last.running_lora_adapters,
            ),
            "prompt_tokens=12019 generation_tokens=1996 preemptions=0 finished=[2, 1, 0] \
             first_tokens=13 ttft_sum=453.142329ms \
             lora=[(\"chat-lora\", 1), (\"code-lora\", 5), (\"sql-lora\", 2)]"
        );
    }

    #[test]
    fn every_step_is_consistent() {
        for Step {
            forward_pass: m,
            engine,
        } in run(11, 2, 2000)
        {
            let kv = &m.kv_stats;
            assert!(kv.kv_active_blocks <= kv.kv_total_blocks);
            assert_eq!(
                kv.gpu_cache_usage_perc,
                kv.kv_active_blocks as f32 / kv.kv_total_blocks as f32
            );
            assert!((0.0..=1.0).contains(&kv.gpu_prefix_cache_hit_rate));
            assert!(m.worker_stats.request_active_slots <= TOTAL_SLOTS);
            let spec = m.spec_decode_stats.expect("spec decode is on");
            let per_position = spec.num_accepted_tokens_per_pos.expect("per position");
            assert_eq!(per_position.len(), SPEC_TOKENS as usize);
            assert_eq!(spec.num_accepted_tokens, Some(per_position.iter().sum()));
            // Acceptance at a later position implies acceptance at every earlier one.
            assert!(per_position.windows(2).all(|w| w[0] >= w[1]));

            // The engine's stats count the same requests.
            assert_eq!(engine.requests_running, m.worker_stats.request_active_slots);
            assert_eq!(engine.requests_waiting, m.worker_stats.num_requests_waiting);
            let on_adapters: u64 = engine.running_lora_adapters.iter().map(|(_, n)| n).sum();
            assert!(on_adapters <= engine.requests_running);
            let adapters: Vec<&str> = engine
                .running_lora_adapters
                .iter()
                .map(|(a, _)| *a)
                .collect();
            assert_eq!(adapters, LORA_ADAPTERS);
            let reasons: Vec<FinishReason> =
                engine.finished_requests.iter().map(|(r, _)| *r).collect();
            assert_eq!(reasons, FinishReason::ALL);
            // A draft per decoding request and iteration, one output each:
            // each is a first token or follows one.
            let outputs = engine.time_to_first_token.len() + engine.inter_token_latency.len();
            assert_eq!(Some(outputs as u32), spec.num_drafts);
            // Every output is at least one token, at most one per draft position more.
            let drafts = u64::from(spec.num_drafts.unwrap_or(0));
            let accepted = u64::from(spec.num_accepted_tokens.unwrap_or(0));
            assert!(engine.generation_tokens <= drafts + accepted);
            assert!(engine
                .time_to_first_token
                .iter()
                .all(|t| *t > Duration::ZERO));
            assert!(engine
                .inter_token_latency
                .iter()
                .all(|t| *t >= ITERATION_BASE.mul_f64(0.9)));
        }
    }

    #[test]
    fn load_comes_and_goes() {
        let steps = run(3, 0, 2000);
        let usage: Vec<f32> = steps
            .iter()
            .map(|s| s.forward_pass.kv_stats.gpu_cache_usage_perc)
            .collect();
        let (low, high) = usage
            .iter()
            .skip(100)
            .fold((f32::MAX, 0.0f32), |(lo, hi), &u| (lo.min(u), hi.max(u)));
        assert!(high - low > 0.2, "usage stays within {low}..{high}");
        assert!(steps[..500].windows(2).any(|w| w[0]
            .forward_pass
            .kv_stats
            .gpu_prefix_cache_hit_rate
            != w[1].forward_pass.kv_stats.gpu_prefix_cache_hit_rate));
    }

    /// A rank with pinned blocks stays above the alert's 0.95 at every step,
    /// from the first, and still serves requests with what is left.
    #[test]
    fn a_hot_rank_stays_nearly_full_and_keeps_serving() {
        let mut sim = WorkerSim::new(3, 0).with_pinned_blocks(HOT_PINNED_BLOCKS);
        let steps: Vec<Step> = (0..800).map(|_| sim.step()).collect();
        for step in &steps {
            let kv = &step.forward_pass.kv_stats;
            assert!(kv.kv_active_blocks >= HOT_PINNED_BLOCKS);
            assert!(kv.kv_active_blocks <= kv.kv_total_blocks);
            assert!(kv.gpu_cache_usage_perc > 0.95, "{kv:?}");
        }
        let finished: u64 = steps
            .iter()
            .flat_map(|s| &s.engine.finished_requests)
            .map(|(_, n)| n)
            .sum();
        assert!(finished > 0, "no request finished");
    }

    /// Over a load wave, every kind of event happens: at the crest the cache
    /// fills, requests are preempted and wait longer for their first token;
    /// every finish reason and every adapter shows up.
    #[test]
    fn a_wave_has_preemptions_every_finish_reason_and_adapter() {
        let steps = run(3, 0, 800);
        let total = |f: fn(&EngineStats) -> u64| steps.iter().map(|s| f(&s.engine)).sum::<u64>();
        assert!(total(|e| e.preemptions) > 0, "no preemption");
        assert!(total(|e| e.prompt_tokens) > 0);
        assert!(total(|e| e.generation_tokens) > 0);
        for (index, reason) in FinishReason::ALL.into_iter().enumerate() {
            let finished: u64 = steps
                .iter()
                .map(|s| s.engine.finished_requests[index].1)
                .sum();
            assert!(finished > 0, "no request finished with {reason}");
        }
        for (index, adapter) in LORA_ADAPTERS.into_iter().enumerate() {
            assert!(
                steps
                    .iter()
                    .any(|s| s.engine.running_lora_adapters[index].1 > 0),
                "nothing ran on {adapter}"
            );
        }
        let slowest = steps
            .iter()
            .flat_map(|s| &s.engine.time_to_first_token)
            .max()
            .copied()
            .unwrap_or_default();
        assert!(slowest > Duration::from_millis(500), "{slowest:?}");
        assert!(
            slowest < Duration::from_secs(20),
            "past the last bucket: {slowest:?}"
        );
    }
}
