//===- TargetInfoTest.cpp - The chips the compiler knows ------------------===//
//
// Part of the attn-mlir project.
//
//===----------------------------------------------------------------------===//

#include "attn/Support/TargetInfo.h"

#include <gtest/gtest.h>

using namespace attn;

TEST(TargetInfoTest, LooksUpExactlyTheKnownChips) {
  const TargetInfo *sm90 = TargetInfo::lookup("sm_90a");
  const TargetInfo *sm100 = TargetInfo::lookup("sm_100a");
  ASSERT_NE(sm90, nullptr);
  ASSERT_NE(sm100, nullptr);
  EXPECT_STREQ(sm90->name(), "sm_90a");
  EXPECT_STREQ(sm100->name(), "sm_100a");
  // The arch-specific targets only: TMA and wgmma/tcgen05 need them.
  for (const char *name : {"sm_90", "sm_100", "sm_80", "SM_90A", "", "sm_90a "})
    EXPECT_EQ(TargetInfo::lookup(name), nullptr) << name;
  EXPECT_EQ(TargetInfo::all().size(), 2u);
  EXPECT_STREQ(TargetInfo::knownChips(), "sm_90a or sm_100a");
}

TEST(TargetInfoTest, MapsToTheTmaRulesTarget) {
  for (const TargetInfo *info : TargetInfo::all()) {
    EXPECT_EQ(&TargetInfo::get(info->tmaTarget()), info);
    EXPECT_STREQ(tma::targetName(info->tmaTarget()), info->name());
  }
  EXPECT_EQ(TargetInfo::lookup("sm_90a")->tmaTarget(), tma::Target::SM90);
  EXPECT_EQ(TargetInfo::lookup("sm_100a")->tmaTarget(), tma::Target::SM100);
}

TEST(TargetInfoTest, PtxVersionsAndLimits) {
  const TargetInfo &sm90 = *TargetInfo::lookup("sm_90a");
  const TargetInfo &sm100 = *TargetInfo::lookup("sm_100a");
  EXPECT_EQ(sm90.defaultPtxFeatures(), "+ptx80");
  EXPECT_EQ(sm100.defaultPtxFeatures(), "+ptx86");
  for (const TargetInfo *info : TargetInfo::all()) {
    EXPECT_EQ(info->maxSharedMemoryPerBlock(), 227 * 1024);
    EXPECT_EQ(info->sharedMemoryPerSM(), 228 * 1024);
    EXPECT_GT(info->smCountFallback(), 0);
  }
  EXPECT_EQ(sm90.smCountFallback(), 132);  // H100 and H200 SXM
  EXPECT_EQ(sm100.smCountFallback(), 148); // B200
}

TEST(TargetInfoTest, InstructionFamilies) {
  const TargetInfo &sm90 = *TargetInfo::lookup("sm_90a");
  const TargetInfo &sm100 = *TargetInfo::lookup("sm_100a");
  EXPECT_TRUE(sm90.hasMma(MmaKind::MmaSync));
  EXPECT_TRUE(sm90.hasMma(MmaKind::Wgmma));
  EXPECT_FALSE(sm90.hasMma(MmaKind::Tcgen05));
  EXPECT_TRUE(sm100.hasMma(MmaKind::MmaSync));
  EXPECT_FALSE(sm100.hasMma(MmaKind::Wgmma));
  EXPECT_TRUE(sm100.hasMma(MmaKind::Tcgen05));
  EXPECT_TRUE(sm90.hasCvtE4M3ToF16x2());
  EXPECT_TRUE(sm100.hasCvtE4M3ToF16x2());
  EXPECT_FALSE(sm90.hasCvtE2M1ToF16x2());
  EXPECT_TRUE(sm100.hasCvtE2M1ToF16x2());
}
