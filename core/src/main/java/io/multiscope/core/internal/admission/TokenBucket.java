package io.multiscope.core.internal.admission;

import io.multiscope.core.admission.ThrottleFeedback;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The registration budget of one DPS instance: a token bucket refilled continuously at the current rate, whose rate
 * is cut on a {@code 429} and grows back linearly to the quota. Every method takes the current time (nanoseconds of
 * the epoch) so that the caller's clock, virtual or not, is the only source of time.
 *
 * <p>Thread-safe without locks: the whole state is one immutable {@link State} swapped by compare-and-set, so an
 * acquisition is a read, some arithmetic and one CAS, and buckets of different instances never contend.
 */
public final class TokenBucket {

    private static final double NANOS_PER_MINUTE = 60e9;
    /** Refill is floating point; a token short by less than this is a whole token (rounding, not budget). */
    private static final double EPSILON = 1e-9;
    private static final long NOT_RECOVERING = Long.MIN_VALUE;
    private static final long NEVER = Long.MIN_VALUE;

    /**
     * @param quota the configured registrations per minute
     * @param rate the current budget in registrations per minute (at {@code at}; {@code <= quota})
     * @param tokens tokens in the bucket at time {@code at}
     * @param at the time {@code tokens} refers to; in the future while the instance is paused, and possibly a little
     *     ahead of a caller's {@code now} when another thread read the clock later and acquired first
     * @param pausedUntil until when DPS asked for no registrations at all, or {@link #NEVER}
     * @param rampStart the rate the linear recovery starts from
     * @param recoveryFrom when the recovery started, or {@link #NOT_RECOVERING}
     * @param lastCut when the rate was last cut, or {@link #NEVER}
     */
    private record State(int quota, double rate, double tokens, long at, long pausedUntil, double rampStart,
            long recoveryFrom, long lastCut) {

        boolean recovering() {
            return recoveryFrom != NOT_RECOVERING;
        }
    }

    private final double burstMinutes;
    private final ThrottleFeedback feedback;
    private final AtomicReference<State> state;
    /** Deferral slots handed out reach up to here (epoch nanos); see {@link #book}. */
    private final AtomicLong scheduleCursor = new AtomicLong(Long.MIN_VALUE);

    /**
     * A full bucket.
     *
     * @param burstMinutes how many minutes of the current rate the bucket holds
     */
    public TokenBucket(int quotaPerMinute, double burstMinutes, ThrottleFeedback feedback, long now) {
        if (quotaPerMinute <= 0) {
            throw new IllegalArgumentException("quota must be > 0, was " + quotaPerMinute);
        }
        this.burstMinutes = burstMinutes;
        this.feedback = feedback;
        this.state = new AtomicReference<>(new State(quotaPerMinute, quotaPerMinute,
                capacity(quotaPerMinute), now, NEVER, quotaPerMinute, NOT_RECOVERING, NEVER));
    }

    /**
     * Takes one token if there is one. A {@code now} a little behind the bucket's time (this caller read the clock
     * before another one that acquired first) sees the tokens as of the bucket's time: no refill, but no refusal of
     * tokens that are there either. Only a pause refuses whatever the tokens.
     */
    public boolean tryAcquire(long now) {
        while (true) {
            State current = state.get();
            State s = advance(current, now);
            if (now < s.pausedUntil || s.tokens + EPSILON < 1.0) {
                return false;
            }
            State taken = new State(s.quota, s.rate, Math.max(0.0, s.tokens - 1.0), s.at, s.pausedUntil,
                    s.rampStart, s.recoveryFrom, s.lastCut);
            if (state.compareAndSet(current, taken)) {
                return true;
            }
        }
    }

    /** Whole tokens available now. */
    public long headroom(long now) {
        State s = advance(state.get(), now);
        return now < s.pausedUntil ? 0 : (long) Math.floor(s.tokens + EPSILON);
    }

    /**
     * Nanoseconds until a token is available (0 if one is now). Assumes the rate stays as it is now; while it
     * recovers tokens come sooner, so the answer errs on the late side and a caller coming back then finds one.
     */
    public long nanosUntilAvailable(long now) {
        State s = advance(state.get(), now);
        double missing = 1.0 - s.tokens;
        if (missing <= EPSILON) {
            return s.pausedUntil > now ? s.pausedUntil - now : 0; // NEVER - now would overflow
        }
        // The tokens are counted from s.at (the end of a pause, or a moment ahead of a stale now). Rounded up so the
        // token is there by then; the tiny allowance keeps float noise from adding a nanosecond.
        return Math.max(0, s.at - now) + (long) Math.ceil(missing * NANOS_PER_MINUTE / s.rate - 1e-6);
    }

    /** The current budget in registrations per minute. */
    public double ratePerMinute(long now) {
        return advance(state.get(), now).rate;
    }

    public int quota() {
        return state.get().quota;
    }

    /**
     * Books the next deferral slot: the later of "when a token appears" and the previous booking plus one token
     * interval, so that devices told to come back are spaced at the rate the budget refills rather than all at once.
     * Books nothing and returns {@code -1} if that slot is more than {@code horizonNanos} ahead.
     */
    public long book(long now, long horizonNanos) {
        while (true) {
            long cursor = scheduleCursor.get();
            long slot = nextSlot(now, cursor);
            if (slot - now > horizonNanos) {
                return -1;
            }
            long interval = (long) Math.ceil(NANOS_PER_MINUTE / ratePerMinute(now));
            if (scheduleCursor.compareAndSet(cursor, slot + interval)) {
                return slot;
            }
        }
    }

    /** The slot {@link #book} would hand out now, without booking it. */
    public long peekSlot(long now) {
        return nextSlot(now, scheduleCursor.get());
    }

    private long nextSlot(long now, long cursor) {
        return Math.max(cursor, now + nanosUntilAvailable(now));
    }

    /**
     * DPS throttled the instance: cut the rate (at most once per cooldown), empty the bucket, pause until
     * {@code resumeAt} if DPS said when ({@code Long.MIN_VALUE} if not), and restart the recovery from there.
     */
    public void onThrottled(long now, long resumeAt) {
        long cooldown = feedback.cooldown().toNanos();
        while (true) {
            State current = state.get();
            State s = advance(current, now);
            boolean cut = feedback.decreaseFactor() < 1.0 && (s.lastCut == NEVER || now - s.lastCut >= cooldown);
            double rate = cut ? Math.max(floorRate(s.quota), s.rate * feedback.decreaseFactor()) : s.rate;
            long at = Math.max(s.at, now);
            long pausedUntil = s.pausedUntil;
            double tokens;
            if (resumeAt > at) {
                // Paused: the first registration may go when DPS said, then the bucket refills from there.
                at = resumeAt;
                pausedUntil = resumeAt;
                tokens = 1.0;
            } else if (s.pausedUntil > now) {
                tokens = Math.min(s.tokens, 1.0); // already paused at least that long
            } else {
                tokens = 0.0; // DPS says we sent too many: whatever we thought was left is not there
            }
            long recoveryFrom = rate < s.quota ? at : NOT_RECOVERING;
            State throttled = new State(s.quota, rate, Math.min(tokens, capacity(rate)), at, pausedUntil, rate,
                    recoveryFrom, cut ? now : s.lastCut);
            if (state.compareAndSet(current, throttled)) {
                return;
            }
        }
    }

    /**
     * Applies a new quota. A budget at the old quota moves to the new one; a cut budget keeps its share of the quota,
     * and tokens beyond the new capacity are dropped.
     */
    public void resize(int newQuota, long now) {
        if (newQuota <= 0) {
            throw new IllegalArgumentException("quota must be > 0, was " + newQuota);
        }
        while (true) {
            State current = state.get();
            State s = advance(current, now);
            if (s.quota == newQuota) {
                return;
            }
            double scale = (double) newQuota / s.quota;
            double rate = s.recovering() ? Math.min(newQuota, s.rate * scale) : newQuota;
            double rampStart = Math.min(newQuota, s.rampStart * scale);
            State resized = new State(newQuota, rate, Math.min(s.tokens, capacity(rate)), s.at, s.pausedUntil,
                    rampStart, s.recovering() && rate < newQuota ? s.recoveryFrom : NOT_RECOVERING, s.lastCut);
            if (state.compareAndSet(current, resized)) {
                return;
            }
        }
    }

    /** The state as it is at {@code now}: refilled and, if recovering, at the rate reached by then. */
    private State advance(State s, long now) {
        if (now <= s.at) {
            return s; // paused, no time passed, or a stale reading: nothing refills until time passes s.at
        }
        double rate = s.rate;
        long recoveryFrom = s.recoveryFrom;
        if (s.recovering()) {
            rate = rampRate(s, now - s.recoveryFrom);
            if (rate >= s.quota) {
                rate = s.quota;
                recoveryFrom = NOT_RECOVERING;
            }
        }
        double tokens = Math.min(capacity(rate), s.tokens + refill(s, now));
        return new State(s.quota, rate, tokens, now, s.pausedUntil, s.rampStart, recoveryFrom, s.lastCut);
    }

    /** Tokens that flowed in from {@code s.at} to {@code now}: the exact integral of the (possibly ramping) rate. */
    private double refill(State s, long now) {
        // Times relative to s.at: epoch nanoseconds as doubles would lose whole microseconds.
        double to = now - s.at;
        if (!s.recovering()) {
            return s.rate * to / NANOS_PER_MINUTE;
        }
        double rampOrigin = s.recoveryFrom - s.at; // <= 0: the recovery starts when the pause ends, or earlier
        double saturatedAt = rampOrigin + (s.quota - s.rampStart) / slope(s);
        double area = 0;
        double rampEnd = Math.min(to, saturatedAt);
        if (rampEnd > 0) {
            area += rampEnd * (rampRate(s, -rampOrigin) + rampRate(s, rampEnd - rampOrigin)) / 2;
        }
        double flatFrom = Math.max(0, saturatedAt);
        if (flatFrom < to) {
            area += (to - flatFrom) * s.quota;
        }
        return area / NANOS_PER_MINUTE;
    }

    /** The rate {@code sinceRecoveryFrom} nanoseconds into the recovery. */
    private double rampRate(State s, double sinceRecoveryFrom) {
        return Math.min(s.quota, s.rampStart + slope(s) * Math.max(0, sinceRecoveryFrom));
    }

    private double slope(State s) {
        return feedback.recoveryPerMinute() * s.quota / NANOS_PER_MINUTE;
    }

    private double floorRate(int quota) {
        return Math.min(quota, Math.max(1.0, quota * feedback.floor()));
    }

    private double capacity(double rate) {
        return Math.max(1.0, rate * burstMinutes);
    }
}
