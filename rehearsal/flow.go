package rehearsal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	v1 "github.com/authzed/authzed-go/proto/authzed/api/v1"
	"github.com/authzed/authzed-go/v1"
)

// PostSchema is the schema from the vendor's "deploy SpiceDB to ECS" post.
const PostSchema = `definition user {}

definition post {
	relation reader: user
	relation writer: user
	permission read = reader + writer
	permission write = writer
}`

// fullyConsistent makes reads see every write before them.
var fullyConsistent = &v1.Consistency{Requirement: &v1.Consistency_FullyConsistent{FullyConsistent: true}}

// RunPostFlow performs the post's walkthrough and checks every answer:
// write the schema, write post:1 writer user:sid and post:1 reader
// user:lena, then lena may read but not write post:1, and the subjects that
// may read post:1 are exactly sid and lena.
func RunPostFlow(ctx context.Context, c *authzed.Client) error {
	if _, err := c.WriteSchema(ctx, &v1.WriteSchemaRequest{Schema: PostSchema}); err != nil {
		return fmt.Errorf("post flow: write schema: %w", err)
	}
	if _, err := c.WriteRelationships(ctx, &v1.WriteRelationshipsRequest{Updates: []*v1.RelationshipUpdate{
		touch(Relationship("post", "1", "writer", "user", "sid")),
		touch(Relationship("post", "1", "reader", "user", "lena")),
	}}); err != nil {
		return fmt.Errorf("post flow: write relationships: %w", err)
	}
	checks := []struct {
		permission string
		want       v1.CheckPermissionResponse_Permissionship
	}{
		{"read", v1.CheckPermissionResponse_PERMISSIONSHIP_HAS_PERMISSION},
		{"write", v1.CheckPermissionResponse_PERMISSIONSHIP_NO_PERMISSION},
	}
	for _, chk := range checks {
		got, err := Check(ctx, c, "post", "1", chk.permission, "user", "lena")
		if err != nil {
			return fmt.Errorf("post flow: %w", err)
		}
		if got != chk.want {
			return fmt.Errorf("post flow: check post:1 %s user:lena = %s, want %s", chk.permission, got, chk.want)
		}
	}
	subjects, err := LookupSubjects(ctx, c, "post", "1", "read", "user")
	if err != nil {
		return fmt.Errorf("post flow: %w", err)
	}
	if want := []string{"lena", "sid"}; !slices.Equal(subjects, want) {
		return fmt.Errorf("post flow: lookup-subjects post:1 read user = %v, want %v", subjects, want)
	}
	return nil
}

// Relationship builds resource:id#relation@subjectType:subjectID.
func Relationship(resType, resID, relation, subjType, subjID string) *v1.Relationship {
	return &v1.Relationship{
		Resource: &v1.ObjectReference{ObjectType: resType, ObjectId: resID},
		Relation: relation,
		Subject:  &v1.SubjectReference{Object: &v1.ObjectReference{ObjectType: subjType, ObjectId: subjID}},
	}
}

func touch(r *v1.Relationship) *v1.RelationshipUpdate {
	return &v1.RelationshipUpdate{Operation: v1.RelationshipUpdate_OPERATION_TOUCH, Relationship: r}
}

// Check asks, fully consistently, whether subject has permission on resource.
func Check(ctx context.Context, c *authzed.Client, resType, resID, permission, subjType, subjID string) (v1.CheckPermissionResponse_Permissionship, error) {
	rel := Relationship(resType, resID, permission, subjType, subjID)
	resp, err := c.CheckPermission(ctx, &v1.CheckPermissionRequest{
		Consistency: fullyConsistent, Resource: rel.Resource, Permission: permission, Subject: rel.Subject,
	})
	if err != nil {
		return v1.CheckPermissionResponse_PERMISSIONSHIP_UNSPECIFIED,
			fmt.Errorf("check %s:%s %s %s:%s: %w", resType, resID, permission, subjType, subjID, err)
	}
	return resp.GetPermissionship(), nil
}

// LookupSubjects returns the sorted ids of subjType subjects with permission
// on the resource, fully consistently.
func LookupSubjects(ctx context.Context, c *authzed.Client, resType, resID, permission, subjType string) ([]string, error) {
	stream, err := c.LookupSubjects(ctx, &v1.LookupSubjectsRequest{
		Consistency:       fullyConsistent,
		Resource:          &v1.ObjectReference{ObjectType: resType, ObjectId: resID},
		Permission:        permission,
		SubjectObjectType: subjType,
	})
	if err != nil {
		return nil, fmt.Errorf("lookup-subjects %s:%s %s %s: %w", resType, resID, permission, subjType, err)
	}
	var ids []string
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("lookup-subjects %s:%s %s %s: %w", resType, resID, permission, subjType, err)
		}
		ids = append(ids, resp.GetSubject().GetSubjectObjectId())
	}
	slices.Sort(ids)
	return ids, nil
}
