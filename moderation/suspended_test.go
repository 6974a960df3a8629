package moderation_test

import (
	"testing"

	"coterforum/forum"
	"coterforum/moderation"
)

// TestSuspendedModeratorCannotAct: a suspended moderator reads but decides nothing.
func TestSuspendedModeratorCannotAct(t *testing.T) {
	e := newEnv(t)
	newcomer := e.member(t, "Nouveau Venu", forum.RoleMember)
	_, p := e.newThread(t, newcomer, "sig", "Un fil à modérer")
	mod := e.member(t, "Modérateur Suspendu", forum.RoleModerator)
	if _, err := e.mod.UpdateMember(e.ctx, e.admin, mod.ID, moderation.MemberInput{Suspend: "7d", Reason: "absence"}); err != nil {
		t.Fatal(err)
	}
	mod = e.reload(t, mod)
	wantErr(t, e.mod.Approve(e.ctx, mod, p.ID, nil), forum.ErrSuspended)
	wantErr(t, e.mod.Reject(e.ctx, mod, p.ID, "non"), forum.ErrSuspended)
	if got := e.post(t, p.ID); got.Status != forum.PostPending {
		t.Fatalf("status = %s, want pending", got.Status)
	}
}
