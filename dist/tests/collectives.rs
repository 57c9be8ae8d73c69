//! Two ranks on loopback, as threads of one process: sums, gathers, broadcasts and the store.
#![cfg(feature = "tch")]

use std::time::Duration;

use sslc_dist::{Backend, Group};
use tch::Tensor;

/// A port nothing listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

fn values(t: &Tensor) -> Vec<f32> {
    Vec::<f32>::try_from(&t.flatten(0, -1)).expect("f32 values")
}

#[test]
fn two_ranks_sum_gather_broadcast_and_share_a_store() {
    let port = free_port();
    let ranks: Vec<_> = (0..2usize)
        .map(|rank| {
            std::thread::spawn(move || {
                let g = Group::join(Backend::Gloo, "127.0.0.1", port, rank, 2, Duration::from_secs(30))
                    .expect("the group forms");
                assert_eq!((g.rank, g.size), (rank, 2));
                let t = Tensor::from_slice(&[rank as f32 + 1.0, 10.0]);
                g.all_reduce_sum(&t).expect("all-reduce");
                assert_eq!(values(&t), [3.0, 20.0]);
                let mine = Tensor::from_slice(&[rank as f32, rank as f32 + 0.5]).reshape([1, 2]);
                let all = g.all_gather(&mine).expect("all-gather");
                assert_eq!(all.size(), [2, 2]);
                assert_eq!(values(&all), [0.0, 0.5, 1.0, 1.5]);
                let b = Tensor::from_slice(&[rank as f32 * 7.0]);
                g.broadcast(&b, 1).expect("broadcast");
                assert_eq!(values(&b), [7.0]);
                g.set(&format!("hello/{rank}"), format!("from {rank}").as_bytes())
                    .expect("set");
                g.barrier().expect("barrier");
                assert!(g.has(&["hello/0", "hello/1"]).expect("check"));
                assert_eq!(
                    g.get(&format!("hello/{}", 1 - rank)).expect("get"),
                    format!("from {}", 1 - rank).as_bytes()
                );
            })
        })
        .collect();
    for r in ranks {
        r.join().expect("a rank panicked");
    }
}

#[test]
fn a_rank_that_never_comes_is_an_error_within_the_timeout() {
    let port = free_port();
    let started = std::time::Instant::now();
    let e = Group::join(Backend::Gloo, "127.0.0.1", port, 0, 2, Duration::from_secs(2)).expect_err("no second rank");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "waited {:?}",
        started.elapsed()
    );
    assert!(!e.is_empty());
}
