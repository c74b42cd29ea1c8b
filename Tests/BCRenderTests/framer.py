#!/usr/bin/python
# -*- coding: UTF-8 -*-

# The Blender App's frame splitter, as printed in the appendix of its documentation
# (seed 001, "分帧器代码"), with the indentation restored. The only change for Python 3:
# `range(...)` is wrapped in `list(...)` where the result is concatenated to a list.

import os
import math
import sys
import re

NOTHING_TO_DO = 'Nothing to do, exit'

def _calcRange(a,b, id, step):
    start = min(id * step + a, b)
    end = min((id+1) * step + a-1, b)
    return (start, end)

def _parseContinuedFrames(render_frames, total_nodes, id=None, return_type='list'):
    """
    解析连续帧, 如: 1-10
    """
    [a,b]=render_frames.split('-')
    a=int(a)
    b=int(b)
    #print(a,b)
    step = int(math.ceil((b-a+1)*1.0/total_nodes))

    #print('step:', step)
    mod = (b-a+1) % total_nodes
    #print('mod:', mod)

    if mod==0 or id < mod:
        (start, end) = _calcRange(a,b, id, step)
        #print('--->',start, end)
        return (start, end) if return_type!='list' else range(start, end+1)
    else:
        a1 = step * mod + a
        #print('less', a1, b, id)
        (start, end) = _calcRange(a1 ,b, id-mod, step-1)

    #print('--->',start, end)
    return (start, end) if return_type!='list' else range(start, end+1)

def _parseIntermittentFrames(render_frames, total_nodes, id=None):
    """
    解析不连续帧, 如: 1,3,8-10,21
    """
    a1=render_frames.split(',')
    a2=[]
    for n in a1:
        a=n.split('-')
        a2.append(list(range(int(a[0]),int(a[1])+1)) if len(a)==2 else [int(a[0])])

    a3=[]
    for n in a2:
        a3=a3+n
    #print('a3',a3)

    step = int(math.ceil(len(a3)*1.0/total_nodes))
    #print('step',step)
    mod = len(a3) % total_nodes
    #print('mod:', mod)

    if mod==0 or id < mod:
        (start, end) = _calcRange(0, len(a3)-1, id, step)
        #print(start, end)
        a4= a3[start: end+1]
        #print('--->', a4)
        return a4
    else:
        #print('less', step * mod , len(a3)-1, id)
        (start, end) = _calcRange( step * mod ,len(a3)-1, id-mod, step-1)
        if start > len(a3)-1:
            print(NOTHING_TO_DO)
            sys.exit(0)
        #print(start, end)
        a4= a3[start: end+1]
        #print('--->', a4)
        return a4

def parseFrames(render_frames, return_type='list', id=None, total_nodes=None):
    """
    @param render_frames {string}: 需要渲染的总帧数列表范围，可以用"-"表示范围，不连续的帧可以使用","隔开，如: 1,3,5-10
    @param return_type {string}: 取值范围[list,range]。 list样例: [1,2,3], range样例: (1,3)。
    注意: render_frames包含","时有效，强制为list。
    @param id, 节点ID，从0开始。正式环境不要填写，将从环境变量 BATCH_COMPUTE_DAG_INSTANCE_ID 中取得。
    @param total_nodes, 总共的节点个数。正式环境不要填写，将从环境变量 BATCH_COMPUTE_DAG_INSTANCE_COUNT 中取得。
    """

    if id==None:
        id=os.environ['BATCH_COMPUTE_DAG_INSTANCE_ID']
    if type(id)==str:
        id = int(id)

    if total_nodes==None:
        total_nodes = os.environ['BATCH_COMPUTE_DAG_INSTANCE_COUNT']
    if type(total_nodes)==str:
        total_nodes = int(total_nodes)

    if re.match(r'^(\d+)\-(\d+)$',render_frames):
        # 1-2
        # continued frames
        return _parseContinuedFrames(render_frames, total_nodes, id, return_type)

    else:
        # intermittent frames
        return _parseIntermittentFrames(render_frames, total_nodes, id)
