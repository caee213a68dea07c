// The extended XYZ comment-line parser: quoted values, any key order, Properties columns,
// LAMMPS `dump xyz` comments, and errors only for keys ionfield uses.
#include "check.hpp"
#include "traj/xyz_comment.hpp"

using namespace ionfield::detail;

int main() {
  {
    XyzComment c;
    std::string error;
    CHECK(parse_xyz_comment(
        R"(Properties=species:S:1:pos:R:3:Z:I:1:q:R:1 energy=-1.5 Lattice="10 0 0 1 11 0 0.5 0.2 12" Time=2.5 step=400 pbc="T F T" comment="a \"quoted\" text" unwrapped=T)",
        c, error));
    CHECK(c.has_lattice);
    CHECK_NEAR(c.lattice[3], 1.0, 0);
    CHECK_NEAR(c.lattice[8], 12.0, 0);
    CHECK(c.has_properties && c.properties.size() == 4);
    CHECK(c.properties[1].name == "pos" && c.properties[1].type == 'R' && c.properties[1].count == 3);
    CHECK(c.properties[2].name == "Z" && c.properties[2].type == 'I');
    CHECK_NEAR(c.time, 2.5, 0);
    CHECK(c.step == 400);
    CHECK(c.pbc[0] && !c.pbc[1] && c.pbc[2]);
    CHECK(c.unwrapped == 1);
  }
  {
    XyzComment c;
    std::string error;
    CHECK(parse_xyz_comment("Atoms. Timestep: 1500", c, error));  // LAMMPS dump xyz
    CHECK(c.step == 1500 && !c.has_lattice && !c.has_properties);
    XyzComment d;
    CHECK(parse_xyz_comment("just some words about water", d, error));
    CHECK(d.step == -1 && d.time < 0);
    XyzComment e;
    CHECK(parse_xyz_comment("lattice = \"3 0 0 0 3 0 0 0 3\"  TIME=1e3 Timestep=7.0 origin=\"1 2 3\"", e, error));
    CHECK(e.has_lattice && e.step == 7);
    CHECK_NEAR(e.time, 1000.0, 0);
    CHECK_NEAR(e.origin[2], 3.0, 0);
  }
  {
    XyzComment c;  // CP2K / GPUMD style
    std::string error;
    CHECK(parse_xyz_comment("i =        5, time =        2.500, E =     -1234.5678", c, error));
    CHECK_NEAR(c.time, 2.5, 0);
  }
  for (const char* bad : {"Lattice=\"1 2 3\"", "Properties=species:S:1:pos:R", "Properties=pos:X:3", "pbc=\"T T\"",
                          "Time=soon", "step=1.5", "unwrapped=maybe"}) {
    XyzComment c;
    std::string error;
    CHECK(!parse_xyz_comment(bad, c, error));
    CHECK(!error.empty());
  }
  return check::summary("test_traj_xyz_comment");
}
