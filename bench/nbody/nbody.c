/* nbody: the Benchmarks Game n-body simulation (Sun and four Jovian planets), 1M steps by default.
   Measures float arithmetic and float field reads and writes on structs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define PI 3.141592653589793
#define SOLAR_MASS (4.0 * PI * PI)
#define DAYS_PER_YEAR 365.24
#define NBODIES 5

struct body {
    double x, y, z, vx, vy, vz, mass;
};

static long long size_arg(int argc, char **argv, long long fallback) {
    long long n;
    if (argc < 2) return fallback;
    n = atoll(argv[1]);
    if (n < 0) {
        fprintf(stderr, "size must not be negative: %s\n", argv[1]);
        exit(1);
    }
    return n;
}

static void make_bodies(struct body *bodies) {
    struct body sun = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, SOLAR_MASS};
    struct body jupiter = {
        4.84143144246472090e+00,
        -1.16032004402742839e+00,
        -1.03622044471123109e-01,
        1.66007664274403694e-03 * DAYS_PER_YEAR,
        7.69901118419740425e-03 * DAYS_PER_YEAR,
        -6.90460016972063023e-05 * DAYS_PER_YEAR,
        9.54791938424326609e-04 * SOLAR_MASS,
    };
    struct body saturn = {
        8.34336671824457987e+00,
        4.12479856412430479e+00,
        -4.03523417114321381e-01,
        -2.76742510726862411e-03 * DAYS_PER_YEAR,
        4.99852801234917238e-03 * DAYS_PER_YEAR,
        2.30417297573763929e-05 * DAYS_PER_YEAR,
        2.85885980666130812e-04 * SOLAR_MASS,
    };
    struct body uranus = {
        1.28943695621391310e+01,
        -1.51111514016986312e+01,
        -2.23307578892655734e-01,
        2.96460137564761618e-03 * DAYS_PER_YEAR,
        2.37847173959480950e-03 * DAYS_PER_YEAR,
        -2.96589568540237556e-05 * DAYS_PER_YEAR,
        4.36624404335156298e-05 * SOLAR_MASS,
    };
    struct body neptune = {
        1.53796971148509165e+01,
        -2.59193146099879641e+01,
        1.79258772950371181e-01,
        2.68067772490389322e-03 * DAYS_PER_YEAR,
        1.62824170038242295e-03 * DAYS_PER_YEAR,
        -9.51592254519715870e-05 * DAYS_PER_YEAR,
        5.15138902046611451e-05 * SOLAR_MASS,
    };
    bodies[0] = sun;
    bodies[1] = jupiter;
    bodies[2] = saturn;
    bodies[3] = uranus;
    bodies[4] = neptune;
}

static void offset_momentum(struct body *bodies, int n) {
    double px = 0.0, py = 0.0, pz = 0.0;
    int i;
    for (i = 0; i < n; i++) {
        px += bodies[i].vx * bodies[i].mass;
        py += bodies[i].vy * bodies[i].mass;
        pz += bodies[i].vz * bodies[i].mass;
    }
    bodies[0].vx = -px / SOLAR_MASS;
    bodies[0].vy = -py / SOLAR_MASS;
    bodies[0].vz = -pz / SOLAR_MASS;
}

static double energy(const struct body *bodies, int n) {
    double e = 0.0;
    int i, j;
    for (i = 0; i < n; i++) {
        const struct body *b = &bodies[i];
        e += 0.5 * b->mass * (b->vx * b->vx + b->vy * b->vy + b->vz * b->vz);
        for (j = i + 1; j < n; j++) {
            const struct body *b2 = &bodies[j];
            double dx = b->x - b2->x;
            double dy = b->y - b2->y;
            double dz = b->z - b2->z;
            double distance = sqrt(dx * dx + dy * dy + dz * dz);
            e -= (b->mass * b2->mass) / distance;
        }
    }
    return e;
}

static void advance(struct body *bodies, int n, double dt) {
    int i, j;
    for (i = 0; i < n; i++) {
        struct body *b = &bodies[i];
        for (j = i + 1; j < n; j++) {
            struct body *b2 = &bodies[j];
            double dx = b->x - b2->x;
            double dy = b->y - b2->y;
            double dz = b->z - b2->z;
            double d2 = dx * dx + dy * dy + dz * dz;
            double distance = sqrt(d2);
            double mag = dt / (d2 * distance);
            double bm = b->mass * mag;
            double b2m = b2->mass * mag;
            b->vx -= dx * b2m;
            b->vy -= dy * b2m;
            b->vz -= dz * b2m;
            b2->vx += dx * bm;
            b2->vy += dy * bm;
            b2->vz += dz * bm;
        }
    }
    for (i = 0; i < n; i++) {
        struct body *b = &bodies[i];
        b->x += dt * b->vx;
        b->y += dt * b->vy;
        b->z += dt * b->vz;
    }
}

int main(int argc, char **argv) {
    long long n = size_arg(argc, argv, 1000000);
    long long i;
    struct body bodies[NBODIES];
    make_bodies(bodies);
    offset_momentum(bodies, NBODIES);
    printf("%.9f\n", energy(bodies, NBODIES));
    for (i = 0; i < n; i++) {
        advance(bodies, NBODIES, 0.01);
    }
    printf("%.9f\n", energy(bodies, NBODIES));
    return 0;
}
