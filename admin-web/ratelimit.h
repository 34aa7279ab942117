/*
 * ratelimit.h -- per-client attempt counters (login, public requests).
 *
 * A fixed window: at most LIMIT hits per WINDOW seconds per key.  Keys are
 * client addresses; IPv6 clients are counted per /64, since one host
 * usually owns a whole /64.  The table has a fixed number of slots: when
 * every slot a key may use is taken by a live window, the oldest window is
 * reused (so memory stays bounded under a flood).  Thread-safe.
 */
#ifndef ADM_RATELIMIT_H
#define ADM_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct adm_ratelimit adm_ratelimit;

/* NULL on allocation failure.  LIMIT 0 means unlimited. */
adm_ratelimit *adm_rl_new(unsigned slots, uint32_t limit, uint32_t window);
void adm_rl_free(adm_ratelimit *rl);

/* Count one hit for client address CLIENT (text) at NOW.  Returns true
 * when it is within the limit, false when the caller must refuse. */
bool adm_rl_hit(adm_ratelimit *rl, const char *client, int64_t now);
/* True while CLIENT is within the limit at NOW, without counting a hit:
 * for counters of failures only (wrong API tokens), checked before the
 * attempt and hit after a failure. */
bool adm_rl_ok(adm_ratelimit *rl, const char *client, int64_t now);

#endif
